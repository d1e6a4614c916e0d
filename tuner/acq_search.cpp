#include "tuner/acq_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "tuner/random.hpp"
#include "tuner/sobol.hpp"

namespace scxlab::tuner {
namespace {

constexpr std::size_t kEnumerateLevels = 16;

double finite_or_floor(double v) { return std::isfinite(v) ? v : -1e300; }

// A perturbed copy of `anchor`: numeric dims moved by N(0, scale^2) in the cube (integers to
// the nearest level), categorical dims redrawn, each dim with probability min(1, 5/d).
Eigen::VectorXd perturb(const Eigen::VectorXd& anchor, const Encoding& enc, double scale, stats::Rng& rng) {
  Eigen::VectorXd x = anchor;
  const auto d = enc.size();
  const double p = std::min(1.0, 5.0 / static_cast<double>(d));
  const auto forced = rng.below(d);  // at least one dim moves
  for (std::size_t i = 0; i < d; ++i) {
    if (i != forced && rng.uniform() >= p) continue;
    const auto e = static_cast<Eigen::Index>(i);
    const auto& dim = enc.dim(i);
    if (dim.kind == DimKind::categorical) x[e] = static_cast<double>(rng.below(dim.levels));
    else x[e] = std::clamp(x[e] + scale * standard_normal(rng), 0.0, 1.0);
  }
  return enc.snap(x);
}

Points candidates(const Encoding& enc, const Points& anchors, const SearchOptions& o, std::uint64_t seed) {
  std::vector<Eigen::VectorXd> rows;
  SobolSequence sobol(enc.size(), mix_seed(seed, 1));
  std::vector<double> u(enc.size());
  for (int i = 0; i < o.sobol_points; ++i) {
    sobol.next(u);
    auto x = enc.from_unit(u);
    if (enc.feasible(x)) rows.push_back(std::move(x));
  }
  stats::Rng rng(mix_seed(seed, 2));
  constexpr double kScales[] = {0.01, 0.05, 0.2};
  for (int i = 0; i < o.perturbations && anchors.rows() > 0; ++i) {
    const Eigen::VectorXd anchor = anchors.row(i % anchors.rows()).transpose();
    auto x = perturb(anchor, enc, kScales[i % 3], rng);
    if (enc.feasible(x)) rows.push_back(std::move(x));
  }
  for (Eigen::Index i = 0; i < anchors.rows(); ++i) rows.push_back(anchors.row(i).transpose());
  if (rows.empty())
    throw std::runtime_error(fmt::format("no configuration satisfies the space's constraints among {} samples: "
                                         "the constraints leave (almost) no room; check them",
                                         o.sobol_points));
  Points out(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(enc.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = rows[i].transpose();
  return out;
}

class LocalSearch {
 public:
  LocalSearch(const Acquisition& acq, const Encoding& enc, const SearchOptions& o)
      : acq_(acq), enc_(enc), o_(o), continuous_(enc.dims_of(DimKind::continuous)) {
    for (std::size_t i = 0; i < enc.size(); ++i) {
      if (enc.dim(i).kind != DimKind::continuous) discrete_.push_back(i);
    }
    for (std::size_t k = 0; k < enc.constraint_count(); ++k) {
      if (std::any_of(continuous_.begin(), continuous_.end(), [&](std::size_t d) { return enc.constrains(k, d); }))
        active_constraints_.push_back(k);
    }
  }

  SearchResult run(Eigen::VectorXd x, double value) const {
    SearchResult r{std::move(x), value};
    for (int round = 0; round < o_.rounds; ++round) {
      const double before = r.value;
      if (!continuous_.empty()) continuous_step(r);
      for (const auto d : discrete_) discrete_step(r, d);
      if (!(r.value > before + 1e-10 * std::max(1.0, std::fabs(before)))) break;
    }
    return r;
  }

 private:
  struct NloptState {
    const LocalSearch* self;
    Eigen::VectorXd x;  // full point; continuous coordinates overwritten per evaluation
    SearchResult best;
    std::size_t constraint = 0;
  };

  Eigen::VectorXd with(const Eigen::VectorXd& base, const double* z) const {
    Eigen::VectorXd x = base;
    for (std::size_t i = 0; i < continuous_.size(); ++i) x[static_cast<Eigen::Index>(continuous_[i])] = z[i];
    return x;
  }

  static double objective(unsigned, const double* z, double* grad, void* data) {
    auto* s = static_cast<NloptState*>(data);
    const auto& self = *s->self;
    const Eigen::VectorXd x = self.with(s->x, z);
    Eigen::VectorXd g;
    const double v = self.acq_.value(x, grad ? &g : nullptr);
    if (std::isfinite(v) && v > s->best.value && self.enc_.feasible(x)) s->best = {x, v};
    if (grad) {
      for (std::size_t i = 0; i < self.continuous_.size(); ++i) {
        const double gi = g[static_cast<Eigen::Index>(self.continuous_[i])];
        grad[i] = std::isfinite(v) && std::isfinite(gi) ? gi : 0;
      }
    }
    return finite_or_floor(v);
  }

  struct ConstraintData {
    const LocalSearch* self;
    const Eigen::VectorXd* base;
    std::size_t k;
  };

  static double constraint(unsigned, const double* z, double* grad, void* data) {
    const auto* c = static_cast<const ConstraintData*>(data);
    const auto& self = *c->self;
    const Eigen::VectorXd x = self.with(*c->base, z);
    if (grad) {
      const Eigen::VectorXd g = self.enc_.constraint_gradient(c->k, x);
      for (std::size_t i = 0; i < self.continuous_.size(); ++i) grad[i] = g[static_cast<Eigen::Index>(self.continuous_[i])];
    }
    return self.enc_.constraint_slack(c->k, x);
  }

  void continuous_step(SearchResult& r) const {
    const auto n = static_cast<unsigned>(continuous_.size());
    nlopt::opt opt(active_constraints_.empty() ? nlopt::LD_LBFGS : nlopt::LD_SLSQP, n);
    opt.set_lower_bounds(0.0);
    opt.set_upper_bounds(1.0);
    opt.set_maxeval(o_.local_evaluations);
    opt.set_ftol_rel(1e-9);
    opt.set_xtol_rel(1e-7);
    NloptState state{this, r.x, r, 0};
    opt.set_max_objective(&LocalSearch::objective, &state);
    std::vector<ConstraintData> data;
    data.reserve(active_constraints_.size());
    for (const auto k : active_constraints_) data.push_back({this, &r.x, k});
    for (auto& d : data) opt.add_inequality_constraint(&LocalSearch::constraint, &d, 1e-10);
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) z[i] = r.x[static_cast<Eigen::Index>(continuous_[i])];
    double value = 0;
    try {
      opt.optimize(z, value);
    } catch (const std::exception&) {
      // Round-off or a failed line search: the best feasible point seen is kept.
    }
    r = state.best;
  }

  void consider(SearchResult& r, const Eigen::VectorXd& x) const {
    if (!enc_.feasible(x)) return;
    const double v = acq_.value(x, nullptr);
    if (std::isfinite(v) && v > r.value) r = {x, v};
  }

  void discrete_step(SearchResult& r, std::size_t d) const {
    const auto& dim = enc_.dim(d);
    const auto e = static_cast<Eigen::Index>(d);
    if (dim.kind == DimKind::categorical || dim.levels <= kEnumerateLevels) {
      const Eigen::VectorXd start = r.x;
      for (std::size_t level = 0; level < dim.levels; ++level) {
        Eigen::VectorXd x = start;
        x[e] = dim.kind == DimKind::categorical ? static_cast<double>(level) : enc_.level_position(d, level);
        if (x[e] != start[e]) consider(r, x);
      }
      return;
    }
    // Line search on the grid: steps of 2^k levels, coarse to fine, from the current best.
    std::size_t step = 1;
    while (step * 2 < dim.levels) step *= 2;
    for (; step >= 1; step /= 2) {
      for (const int dir : {-1, 1}) {
        const auto level = static_cast<std::ptrdiff_t>(enc_.nearest_level(d, r.x[e])) + dir * static_cast<std::ptrdiff_t>(step);
        if (level < 0 || level >= static_cast<std::ptrdiff_t>(dim.levels)) continue;
        Eigen::VectorXd x = r.x;
        x[e] = enc_.level_position(d, static_cast<std::size_t>(level));
        consider(r, x);
      }
    }
  }

  const Acquisition& acq_;
  const Encoding& enc_;
  const SearchOptions& o_;
  std::vector<std::size_t> continuous_, discrete_;
  std::vector<std::size_t> active_constraints_;
};

}  // namespace

SearchResult maximize_acquisition(const Acquisition& acquisition, const Encoding& encoding, const Points& anchors,
                                  const SearchOptions& options, std::uint64_t seed) {
  const Points pool = candidates(encoding, anchors, options, seed);
  const Eigen::VectorXd scores = acquisition.values(pool);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(pool.rows()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return finite_or_floor(scores[a]) > finite_or_floor(scores[b]);
  });
  const LocalSearch search(acquisition, encoding, options);
  SearchResult best{pool.row(order[0]).transpose(), -std::numeric_limits<double>::infinity()};
  std::vector<Eigen::VectorXd> started;
  for (const auto i : order) {
    if (static_cast<int>(started.size()) >= options.starts) break;
    const Eigen::VectorXd x = pool.row(i).transpose();
    if (std::find(started.begin(), started.end(), x) != started.end()) continue;
    started.push_back(x);
    const auto r = search.run(x, acquisition.value(x, nullptr));
    if (r.value > best.value) best = r;
  }
  return best;
}

}  // namespace scxlab::tuner
