#include "tuner/space.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace scxlab::tuner {
namespace {

bool valid_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string type_name(const Value& v) {
  switch (v.index()) {
    case 0: return "a boolean";
    case 1: return "an integer";
    case 2: return "a number";
    default: return "a string";
  }
}

bool is_integral(double x) { return std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.0e15; }

void validate_numeric_range(const Knob& k) {
  if (!std::isfinite(k.low) || !std::isfinite(k.high) || !(k.low < k.high))
    throw SpaceError(fmt::format("knob '{}': range [{}, {}] must have low < high", k.name, k.low, k.high));
  if (k.scale == Scale::log && k.low < 0)
    throw SpaceError(fmt::format("knob '{}': a log scale needs a range starting at 0 or above, got [{}, {}]; "
                                 "use scale = linear",
                                 k.name, k.low, k.high));
  if (k.type != KnobType::integer) return;
  if (!is_integral(k.low) || !is_integral(k.high))
    throw SpaceError(fmt::format("knob '{}': an integer range needs integer bounds, got [{}, {}]", k.name, k.low, k.high));
  if (k.step < 1)
    throw SpaceError(fmt::format("knob '{}': step must be >= 1, got {}", k.name, k.step));
  const auto span = static_cast<std::int64_t>(k.high - k.low);
  if (span % k.step != 0)
    throw SpaceError(fmt::format("knob '{}': range [{}, {}] is not a whole number of steps of {}", k.name, k.low,
                                 k.high, k.step));
}

void validate_binding(const Knob& k) {
  if (k.style == FlagStyle::presence && k.type != KnobType::boolean)
    throw SpaceError(fmt::format("knob '{}': style 'presence' is for booleans only; use 'value' or 'equals'", k.name));
  if (!k.choice_args.empty() && k.choice_args.size() != k.choices.size())
    throw SpaceError(fmt::format("knob '{}': choice_args has {} entries for {} choices", k.name, k.choice_args.size(),
                                 k.choices.size()));
}

void validate_choices(const Knob& k) {
  if (k.choices.size() < 2)
    throw SpaceError(fmt::format("knob '{}': a categorical knob needs at least 2 choices", k.name));
  for (std::size_t i = 0; i < k.choices.size(); ++i) {
    if (k.choices[i].empty()) throw SpaceError(fmt::format("knob '{}': choice {} is empty", k.name, i + 1));
    if (std::find(k.choices.begin(), k.choices.begin() + static_cast<std::ptrdiff_t>(i), k.choices[i]) !=
        k.choices.begin() + static_cast<std::ptrdiff_t>(i))
      throw SpaceError(fmt::format("knob '{}': choice '{}' appears twice", k.name, k.choices[i]));
  }
}

}  // namespace

std::string to_string(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>) return x;
        else return fmt::format("{}", x);
      },
      v);
}

std::string_view to_string(KnobType t) {
  switch (t) {
    case KnobType::real: return "real";
    case KnobType::integer: return "int";
    case KnobType::boolean: return "bool";
    case KnobType::categorical: return "categorical";
  }
  return "?";
}

std::string_view to_string(Scale s) { return s == Scale::log ? "log" : "linear"; }

std::string_view to_string(FlagStyle s) {
  switch (s) {
    case FlagStyle::value: return "value";
    case FlagStyle::equals: return "equals";
    case FlagStyle::presence: return "presence";
  }
  return "?";
}

double as_number(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  throw SpaceError(fmt::format("'{}' is not a number", std::get<std::string>(v)));
}

Knob exclusive_group(const std::string& group, std::span<const Knob> members) {
  Knob k;
  k.name = group;
  k.type = KnobType::categorical;
  std::string on_by_default;
  for (const auto& m : members) {
    if (m.type != KnobType::boolean)
      throw SpaceError(fmt::format("exclusive group '{}': member '{}' is not a boolean", group, m.name));
    k.choices.push_back(m.name);
    std::vector<std::string> args;
    if (!m.flag.empty()) {
      if (m.style == FlagStyle::presence) args = {m.flag};
      else if (m.style == FlagStyle::value) args = {m.flag, "true"};
      else args = {m.flag + "=true"};
    }
    k.choice_args.push_back(std::move(args));
    if (std::get_if<bool>(&m.default_value) && std::get<bool>(m.default_value)) {
      if (!on_by_default.empty())
        throw SpaceError(fmt::format("exclusive group '{}': both '{}' and '{}' are on by default", group,
                                     on_by_default, m.name));
      on_by_default = m.name;
    }
  }
  if (on_by_default.empty()) {
    k.choices.push_back("none");
    k.choice_args.push_back({});
    on_by_default = "none";
  }
  k.default_value = on_by_default;
  k.meta["group"] = group;
  return k;
}

Space::Space(std::string name) : name_(std::move(name)) {}

void Space::add(Knob k) {
  if (!valid_name(k.name))
    throw SpaceError(fmt::format("knob name '{}' must be non-empty letters, digits, '_', '-' or '.'", k.name));
  if (index_of(k.name)) throw SpaceError(fmt::format("knob '{}' is defined twice", k.name));
  switch (k.type) {
    case KnobType::real:
    case KnobType::integer: validate_numeric_range(k); break;
    case KnobType::boolean: break;
    case KnobType::categorical: validate_choices(k); break;
  }
  validate_binding(k);
  k.default_value = checked_value(k, k.default_value);
  fixed_.push_back(k.default_value);
  tuned_.push_back(true);
  knobs_.push_back(std::move(k));
}

void Space::add_constraint(LinearConstraint c) {
  const std::string label = c.text.empty() ? "constraint" : fmt::format("constraint '{}'", c.text);
  if (c.terms.empty()) throw SpaceError(fmt::format("{}: has no knob in it", label));
  for (const auto& [name, coef] : c.terms) {
    const auto i = index_of(name);
    if (!i) throw SpaceError(fmt::format("{}: unknown knob '{}'", label, name));
    const auto t = knobs_[*i].type;
    if (t != KnobType::real && t != KnobType::integer)
      throw SpaceError(fmt::format("{}: knob '{}' is {}, constraints relate numeric knobs only", label, name,
                                   to_string(t)));
    if (!std::isfinite(coef)) throw SpaceError(fmt::format("{}: coefficient of '{}' is not finite", label, name));
  }
  if (!std::isfinite(c.rhs)) throw SpaceError(fmt::format("{}: bound is not finite", label));
  constraints_.push_back(std::move(c));
}

void Space::set_rule(Rule rule) { rule_ = std::move(rule); }

std::string Space::rule_violation(const Config& c) const { return rule_ ? rule_(c) : std::string(); }

void Space::fix(std::string_view name, const Value& v) {
  const auto i = index_of(name);
  if (!i) throw SpaceError(fmt::format("cannot fix unknown knob '{}'", name));
  fixed_[*i] = checked_value(knobs_[*i], v);
  tuned_[*i] = false;
}

void Space::tune_only(std::span<const std::string> names) {
  for (const auto& n : names) {
    if (!index_of(n)) throw SpaceError(fmt::format("cannot tune unknown knob '{}'", n));
  }
  for (std::size_t i = 0; i < knobs_.size(); ++i)
    tuned_[i] = std::find(names.begin(), names.end(), knobs_[i].name) != names.end();
}

std::optional<std::size_t> Space::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < knobs_.size(); ++i) {
    if (knobs_[i].name == name) return i;
  }
  return std::nullopt;
}

const Knob& Space::knob(std::string_view name) const {
  const auto i = index_of(name);
  if (!i) throw SpaceError(fmt::format("unknown knob '{}'", name));
  return knobs_[*i];
}

std::size_t Space::tuned_count() const { return static_cast<std::size_t>(std::count(tuned_.begin(), tuned_.end(), true)); }

Config Space::defaults() const {
  Config c;
  for (std::size_t i = 0; i < knobs_.size(); ++i) c.values.push_back(tuned_[i] ? knobs_[i].default_value : fixed_[i]);
  return c;
}

const Value& Space::value(const Config& c, std::string_view name) const {
  const auto i = index_of(name);
  if (!i) throw SpaceError(fmt::format("unknown knob '{}'", name));
  return c.values.at(*i);
}

Value Space::checked_value(const Knob& k, const Value& v) const {
  const auto wrong_type = [&](std::string_view expected) {
    return SpaceError(fmt::format("knob '{}': value {} is {}, expected {}", k.name, to_string(v), type_name(v), expected));
  };
  switch (k.type) {
    case KnobType::boolean:
      if (!std::holds_alternative<bool>(v)) throw wrong_type("true or false");
      return v;
    case KnobType::categorical: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) throw wrong_type("one of its choices");
      if (std::find(k.choices.begin(), k.choices.end(), *s) == k.choices.end())
        throw SpaceError(fmt::format("knob '{}': '{}' is not one of its choices ({})", k.name, *s,
                                     fmt::join(k.choices, ", ")));
      return v;
    }
    case KnobType::real:
    case KnobType::integer: break;
  }
  if (std::holds_alternative<bool>(v) || std::holds_alternative<std::string>(v)) throw wrong_type("a number");
  const double x = as_number(v);
  if (!(x >= k.low && x <= k.high))
    throw SpaceError(fmt::format("knob '{}': value {} is outside its tuning range [{}, {}]", k.name, to_string(v),
                                 k.low, k.high));
  if (k.type == KnobType::real) return x;
  if (!is_integral(x)) throw wrong_type("an integer");
  const auto i = static_cast<std::int64_t>(x);
  if ((i - static_cast<std::int64_t>(k.low)) % k.step != 0)
    throw SpaceError(fmt::format("knob '{}': value {} is off its grid ({} + multiples of {})", k.name, i, k.low, k.step));
  return i;
}

Config Space::canonical(const Config& c) const {
  if (c.values.size() != knobs_.size())
    throw SpaceError(fmt::format("configuration has {} values, the space '{}' has {} knobs", c.values.size(), name_,
                                 knobs_.size()));
  Config out;
  for (std::size_t i = 0; i < knobs_.size(); ++i) out.values.push_back(checked_value(knobs_[i], c.values[i]));
  return out;
}

double Space::slack(const LinearConstraint& constraint, const Config& c) const {
  double lhs = 0;
  for (const auto& [name, coef] : constraint.terms) lhs += coef * as_number(value(c, name));
  return lhs - constraint.rhs;
}

std::vector<std::string> Space::violations(const Config& c) const {
  std::vector<std::string> out;
  for (const auto& con : constraints_) {
    double scale = std::fabs(con.rhs);
    for (const auto& [name, coef] : con.terms) scale += std::fabs(coef * as_number(value(c, name)));
    if (slack(con, c) > 1e-9 * std::max(scale, 1.0)) out.push_back(con.text.empty() ? "linear constraint" : con.text);
  }
  if (auto why = rule_violation(c); !why.empty()) out.push_back(std::move(why));
  return out;
}

std::string Space::describe(const Config& c) const {
  std::string out;
  for (std::size_t i = 0; i < knobs_.size() && i < c.values.size(); ++i)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", knobs_[i].name, to_string(c.values[i]));
  return out;
}

nlohmann::json Space::to_json(const Config& c) const {
  auto j = nlohmann::json::object();
  for (std::size_t i = 0; i < knobs_.size(); ++i) {
    std::visit([&](const auto& x) { j[knobs_[i].name] = x; }, c.values.at(i));
  }
  return j;
}

Config Space::from_json(const nlohmann::json& j) const {
  if (!j.is_object()) throw SpaceError(fmt::format("a configuration must be a JSON object, got: {}", j.dump()));
  for (const auto& [key, _] : j.items()) {
    if (!index_of(key)) throw SpaceError(fmt::format("configuration names unknown knob '{}'", key));
  }
  Config c = defaults();
  for (std::size_t i = 0; i < knobs_.size(); ++i) {
    const auto it = j.find(knobs_[i].name);
    if (it == j.end()) continue;
    if (it->is_boolean()) c.values[i] = it->get<bool>();
    else if (it->is_number_integer()) c.values[i] = it->get<std::int64_t>();
    else if (it->is_number()) c.values[i] = it->get<double>();
    else if (it->is_string()) c.values[i] = it->get<std::string>();
    else throw SpaceError(fmt::format("knob '{}': unsupported JSON value {}", knobs_[i].name, it->dump()));
  }
  return canonical(c);
}

}  // namespace scxlab::tuner
