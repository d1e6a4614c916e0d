#include "tuner/encoding.hpp"

#include <algorithm>
#include <cmath>

namespace scxlab::tuner {
namespace {

std::size_t integer_levels(const Knob& k) {
  return static_cast<std::size_t>((static_cast<std::int64_t>(k.high) - static_cast<std::int64_t>(k.low)) / k.step) + 1;
}

std::size_t choice_index(const Knob& k, const Value& v) {
  if (k.type == KnobType::boolean) return std::get<bool>(v) ? 1 : 0;
  const auto& s = std::get<std::string>(v);
  return static_cast<std::size_t>(std::find(k.choices.begin(), k.choices.end(), s) - k.choices.begin());
}

}  // namespace

Encoding::Encoding(Space space) : space_(std::move(space)) {
  const auto& knobs = space_.knobs();
  std::vector<std::ptrdiff_t> dim_of(knobs.size(), -1);
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    if (!space_.tuned(i)) continue;
    const auto& k = knobs[i];
    Dim d{i, DimKind::continuous, 0};
    Transform t;
    switch (k.type) {
      case KnobType::real: break;
      case KnobType::integer:
        d.kind = DimKind::integer;
        d.levels = integer_levels(k);
        break;
      case KnobType::boolean:
        d.kind = DimKind::categorical;
        d.levels = 2;
        break;
      case KnobType::categorical:
        d.kind = DimKind::categorical;
        d.levels = k.choices.size();
        break;
    }
    if (d.kind != DimKind::categorical) {
      t.low = k.low;
      t.high = k.high;
      t.log = k.scale == Scale::log;
      if (t.log && k.low <= 0) t.shift = k.type == KnobType::integer ? static_cast<double>(k.step) : (k.high - k.low) / 1000;
      t.t_low = t.log ? std::log(t.low + t.shift) : t.low;
      t.t_span = (t.log ? std::log(t.high + t.shift) : t.high) - t.t_low;
    }
    dim_of[i] = static_cast<std::ptrdiff_t>(dims_.size());
    dims_.push_back(d);
    transforms_.push_back(t);
  }
  const Config fixed = space_.defaults();
  for (const auto& lc : space_.constraints()) {
    Constraint c;
    c.constant = -lc.rhs;
    c.fixed_magnitude = std::fabs(lc.rhs);
    double reach = c.fixed_magnitude;
    for (const auto& [name, coef] : lc.terms) {
      const auto i = *space_.index_of(name);
      if (dim_of[i] >= 0) {
        c.terms.push_back({static_cast<std::size_t>(dim_of[i]), coef});
        reach += std::fabs(coef) * std::max(std::fabs(knobs[i].low), std::fabs(knobs[i].high));
      } else {
        const double v = coef * as_number(fixed.values[i]);
        c.constant += v;
        c.fixed_magnitude += std::fabs(v);
        reach += std::fabs(v);
      }
    }
    c.scale = std::max(reach, 1.0);
    constraints_.push_back(std::move(c));
  }
}

std::vector<bool> Encoding::categorical_mask() const {
  std::vector<bool> mask;
  for (const auto& d : dims_) mask.push_back(d.kind == DimKind::categorical);
  return mask;
}

std::vector<std::size_t> Encoding::dims_of(DimKind kind) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (dims_[i].kind == kind) out.push_back(i);
  }
  return out;
}

double Encoding::to_position(std::size_t dim, double value) const {
  const auto& t = transforms_[dim];
  const double tv = t.log ? std::log(value + t.shift) : value;
  return std::clamp((tv - t.t_low) / t.t_span, 0.0, 1.0);
}

double Encoding::native(std::size_t dim, double position) const {
  const auto& t = transforms_[dim];
  const double tv = t.t_low + std::clamp(position, 0.0, 1.0) * t.t_span;
  return std::clamp(t.log ? std::exp(tv) - t.shift : tv, t.low, t.high);
}

double Encoding::native_slope(std::size_t dim, double position) const {
  const auto& t = transforms_[dim];
  if (!t.log) return t.t_span;
  return std::exp(t.t_low + std::clamp(position, 0.0, 1.0) * t.t_span) * t.t_span;
}

double Encoding::level_position(std::size_t dim, std::size_t level) const {
  const auto& k = space_.knobs()[dims_[dim].knob];
  return to_position(dim, k.low + static_cast<double>(level) * static_cast<double>(k.step));
}

std::size_t Encoding::nearest_level(std::size_t dim, double position) const {
  const auto& k = space_.knobs()[dims_[dim].knob];
  const double fractional = (native(dim, position) - k.low) / static_cast<double>(k.step);
  const auto last = dims_[dim].levels - 1;
  const auto below = std::min(static_cast<std::size_t>(std::max(std::floor(fractional), 0.0)), last);
  const auto above = std::min(below + 1, last);
  return std::fabs(level_position(dim, above) - position) < std::fabs(level_position(dim, below) - position) ? above
                                                                                                               : below;
}

Eigen::VectorXd Encoding::encode(const Config& c) const {
  Eigen::VectorXd x(static_cast<Eigen::Index>(dims_.size()));
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    const auto& k = space_.knobs()[dims_[i].knob];
    const auto& v = c.values.at(dims_[i].knob);
    const auto e = static_cast<Eigen::Index>(i);
    if (dims_[i].kind == DimKind::categorical) {
      x[e] = static_cast<double>(choice_index(k, v));
    } else if (dims_[i].kind == DimKind::integer) {
      x[e] = level_position(i, static_cast<std::size_t>((std::get<std::int64_t>(v) - static_cast<std::int64_t>(k.low)) / k.step));
    } else {
      x[e] = to_position(i, as_number(v));
    }
  }
  return x;
}

Config Encoding::decode(const Eigen::VectorXd& x) const {
  Config c = space_.defaults();
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    const auto& k = space_.knobs()[dims_[i].knob];
    const double xi = x[static_cast<Eigen::Index>(i)];
    auto& v = c.values[dims_[i].knob];
    switch (dims_[i].kind) {
      case DimKind::categorical: {
        const auto idx = std::min(static_cast<std::size_t>(std::max(std::lround(xi), 0L)), dims_[i].levels - 1);
        if (k.type == KnobType::boolean) v = idx == 1;
        else v = k.choices[idx];
        break;
      }
      case DimKind::integer:
        v = static_cast<std::int64_t>(k.low) + static_cast<std::int64_t>(nearest_level(i, xi)) * k.step;
        break;
      case DimKind::continuous: v = native(i, xi); break;
    }
  }
  return c;
}

Eigen::VectorXd Encoding::from_unit(std::span<const double> u) const {
  Eigen::VectorXd x(static_cast<Eigen::Index>(dims_.size()));
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    const double ui = std::clamp(u[i], 0.0, 1.0);
    const auto& d = dims_[i];
    const auto e = static_cast<Eigen::Index>(i);
    const auto uniform_level = [&] {
      return std::min(static_cast<std::size_t>(ui * static_cast<double>(d.levels)), d.levels - 1);
    };
    if (d.kind == DimKind::categorical) {
      x[e] = static_cast<double>(uniform_level());
    } else if (d.kind == DimKind::integer) {
      x[e] = level_position(i, transforms_[i].log ? nearest_level(i, ui) : uniform_level());
    } else {
      x[e] = ui;
    }
  }
  return x;
}

Eigen::VectorXd Encoding::snap(const Eigen::VectorXd& x) const {
  Eigen::VectorXd out = x;
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    const auto e = static_cast<Eigen::Index>(i);
    const auto& d = dims_[i];
    if (d.kind == DimKind::categorical) {
      out[e] = std::clamp(std::round(x[e]), 0.0, static_cast<double>(d.levels - 1));
    } else if (d.kind == DimKind::integer) {
      out[e] = level_position(i, nearest_level(i, x[e]));
    } else {
      out[e] = std::clamp(x[e], 0.0, 1.0);
    }
  }
  return out;
}

double Encoding::knob_value(std::size_t dim, double position) const {
  if (dims_[dim].kind != DimKind::integer) return native(dim, position);
  const auto& k = space_.knobs()[dims_[dim].knob];
  return k.low + static_cast<double>(nearest_level(dim, position) * static_cast<std::size_t>(k.step));
}

double Encoding::constraint_slack(std::size_t k, const Eigen::VectorXd& x) const {
  const auto& c = constraints_[k];
  double lhs = c.constant;
  for (const auto& t : c.terms) lhs += t.coef * knob_value(t.dim, x[static_cast<Eigen::Index>(t.dim)]);
  return lhs / c.scale;
}

Eigen::VectorXd Encoding::constraint_gradient(std::size_t k, const Eigen::VectorXd& x) const {
  Eigen::VectorXd g = Eigen::VectorXd::Zero(x.size());
  for (const auto& t : constraints_[k].terms) {
    const auto e = static_cast<Eigen::Index>(t.dim);
    g[e] += t.coef * native_slope(t.dim, x[e]) / constraints_[k].scale;
  }
  return g;
}

bool Encoding::constrains(std::size_t k, std::size_t dim) const {
  const auto& terms = constraints_[k].terms;
  return std::any_of(terms.begin(), terms.end(), [&](const Term& t) { return t.dim == dim; });
}

bool Encoding::feasible(const Eigen::VectorXd& x) const {
  for (const auto& c : constraints_) {
    double lhs = c.constant;
    double magnitude = c.fixed_magnitude;
    for (const auto& t : c.terms) {
      const double v = t.coef * knob_value(t.dim, x[static_cast<Eigen::Index>(t.dim)]);
      lhs += v;
      magnitude += std::fabs(v);
    }
    if (lhs > 1e-9 * std::max(magnitude, 1.0)) return false;
  }
  return !space_.has_rule() || space_.rule_violation(decode(x)).empty();
}

}  // namespace scxlab::tuner
