#include "harness/tune_space.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/errors.hpp"
#include "schedulers/constraint.hpp"

namespace scxlab::harness {
namespace {

using schedulers::Knob;
using schedulers::KnobKind;


bool workload_has(const workloads::WorkloadInfo& w, const std::string& param) {
  return std::any_of(w.params.begin(), w.params.end(), [&](const auto& p) { return p.name == param; });
}

// Why this host or workload cannot tune the knob; "" when it can.
std::string why_not(const Knob& k, const std::vector<Unavailable>& unavailable, const workloads::WorkloadInfo& w) {
  for (const auto& u : unavailable) {
    if (u.name == k.name) return u.reason;
  }
  const std::string prefix = "workload:";
  if (k.target.rfind(prefix, 0) == 0 && !workload_has(w, k.target.substr(prefix.size())))
    return fmt::format("a task attribute of a workload with '{}' (not {})", k.target.substr(prefix.size()), w.name);
  if (k.type == KnobKind::string) return "a string knob has no search range";
  if (!schedulers::is_boolean(k.type) && k.type != KnobKind::choice && !(k.tune_min || k.min)) return "the manifest gives no range";
  if (!schedulers::is_boolean(k.type) && k.type != KnobKind::choice && k.default_value.empty()) return "the manifest gives no default";
  return "";
}

tuner::Value parse_default(const Knob& k) {
  if (schedulers::is_boolean(k.type)) return k.default_value == "true";
  if (k.type == KnobKind::choice) return k.default_value.empty() ? k.choices.front() : k.default_value;
  if (k.type == KnobKind::integer) return static_cast<std::int64_t>(std::stoll(k.default_value));
  return std::stod(k.default_value);
}

tuner::FlagStyle style_of(const Knob& k) {
  if (k.type == KnobKind::flag) return tuner::FlagStyle::presence;
  if (k.type == KnobKind::bool_eq) return tuner::FlagStyle::equals;
  return tuner::FlagStyle::value;
}

tuner::Knob to_tuner_knob(const Knob& k) {
  tuner::Knob t;
  t.name = k.name;
  t.flag = k.target == "args" ? k.flag : "";
  t.style = style_of(k);
  t.default_value = parse_default(k);
  t.meta = {{"unit", k.unit}, {"target", k.target}, {"meaning", k.meaning}};
  if (schedulers::is_boolean(k.type)) {
    t.type = tuner::KnobType::boolean;
  } else if (k.type == KnobKind::choice) {
    t.type = tuner::KnobType::categorical;
    t.choices = k.choices;
  } else {
    t.type = k.type == KnobKind::integer ? tuner::KnobType::integer : tuner::KnobType::real;
    t.low = k.tune_min ? *k.tune_min : *k.min;
    t.high = k.tune_max ? *k.tune_max : (k.max ? *k.max : t.low);
    const double d = tuner::as_number(t.default_value);
    t.low = std::min(t.low, d);  // the default must be a point of the space
    t.high = std::max(t.high, d);
    t.scale = k.scale == "log" ? tuner::Scale::log : tuner::Scale::linear;
  }
  return t;
}

// "slice_max_us >= 5000", "slice_min_us - slice_max_us <= 0".
std::string comparison_text(const schedulers::LinearComparison& c) {
  const char* op = c.strict ? "<" : "<=";
  if (c.terms.size() == 1 && c.terms[0].second == -1)
    return fmt::format("{} {} {}", c.terms[0].first, c.strict ? ">" : ">=", -c.bound);
  std::string lhs;
  for (const auto& [name, coef] : c.terms) {
    const std::string sign = coef < 0 ? "- " : (lhs.empty() ? "" : "+ ");
    const double size = std::fabs(coef);
    lhs += fmt::format("{}{}{}{}", lhs.empty() ? "" : " ", sign, size == 1 ? "" : fmt::format("{}*", size), name);
  }
  return fmt::format("{} {} {}", lhs, op, c.bound);
}

// The knobs of `expr` that are not tuned, with the values they keep: "pinned_slice_us=5000".
std::string held_values(const schedulers::Manifest& m, const schedulers::ConstraintExpr& expr,
                        const std::set<std::string>& tuned) {
  std::vector<std::string> held;
  for (const auto& name : expr.names()) {
    if (tuned.count(name)) continue;
    const Knob* k = m.find_knob(name);
    held.push_back(fmt::format("{}={}", name, k && !k->default_value.empty() ? k->default_value : "unset"));
  }
  return fmt::format("{}", fmt::join(held, ", "));
}

tuner::Knob* numeric_knob(std::vector<tuner::Knob>& knobs, const std::string& name) {
  const auto it = std::find_if(knobs.begin(), knobs.end(), [&](const auto& k) { return k.name == name; });
  if (it == knobs.end() || (it->type != tuner::KnobType::real && it->type != tuner::KnobType::integer)) return nullptr;
  return &*it;
}

// Tightens `k`'s tuning range to coef * k <= bound (< when strict), on the grid of an integer
// knob; returns whether the range changed. Throws UsageError when at most one value is left.
bool narrow(tuner::Knob& k, double coef, double bound, bool strict, const std::string& why) {
  const double limit = bound / coef;
  const bool upper = coef > 0;
  double v = strict ? std::nextafter(limit, upper ? -HUGE_VAL : HUGE_VAL) : limit;
  if (k.type == tuner::KnobType::integer) {  // the last grid level on the allowed side
    const double steps = (limit - k.low) / static_cast<double>(k.step);
    const double level = upper ? (strict ? std::ceil(steps - 1e-9) - 1 : std::floor(steps + 1e-9))
                               : (strict ? std::floor(steps + 1e-9) + 1 : std::ceil(steps - 1e-9));
    v = k.low + static_cast<double>(k.step) * level;
  }
  const auto before = std::make_pair(k.low, k.high);
  if (upper) k.high = std::min(k.high, v);
  else k.low = std::max(k.low, v);
  if (k.low < k.high) return std::make_pair(k.low, k.high) != before;
  throw UsageError(fmt::format("nothing to search in {}: {} leaves it {} of its tuning range; tune the knobs it "
                               "names too (--knobs) or leave {} out",
                               k.name, why, k.low == k.high ? fmt::format("only {}", k.low) : std::string("no value"),
                               k.name));
}

// coef * knob terms over integer knobs only: their sum is an integer too.
bool integer_sum(const schedulers::LinearComparison& c, std::vector<tuner::Knob>& knobs) {
  return std::all_of(c.terms.begin(), c.terms.end(), [&](const auto& t) {
    return numeric_knob(knobs, t.first)->type == tuner::KnobType::integer && t.second == std::floor(t.second);
  });
}

// What the manifest's constraints ask of the tuned knobs while the others keep their
// defaults: bounds narrow the knobs' ranges, linear comparisons between tuned knobs become
// linear constraints; what is not linear in numeric knobs (a disjunction remains, a boolean
// or a choice is compared) is left to the space's rule, and `ts` says which is which.
void model_constraint(TuneSpace& ts, std::vector<tuner::Knob>& knobs, std::vector<tuner::LinearConstraint>& linear,
                      const schedulers::Manifest& m, const schedulers::Constraint& c,
                      const std::set<std::string>& tuned) {
  using Kind = schedulers::Residual::Kind;
  const auto expr = schedulers::ConstraintExpr::parse(c.expr);
  const auto residual = expr.residual([&](const std::string& n) { return tuned.count(n) > 0; },
                                      [&](const schedulers::ConstraintExpr::Ref& r) { return schedulers::constraint_value(m, {}, r); });
  const auto held = held_values(m, expr, tuned);
  const auto source = held.empty() ? fmt::format("constraint '{}'", c.expr)
                                   : fmt::format("constraint '{}' with {}", c.expr, held);
  if (residual.kind == Kind::holds) return;
  if (residual.kind == Kind::fails)
    throw UsageError(fmt::format("{} cannot hold, whatever the tuned knobs are: tune those knobs too (--knobs){}",
                                 source, c.help.empty() ? "" : "; " + c.help));
  bool modelled = residual.kind == Kind::linear;
  for (const auto& cmp : residual.all_of) {
    const bool numeric = std::all_of(cmp.terms.begin(), cmp.terms.end(),
                                     [&](const auto& t) { return numeric_knob(knobs, t.first) != nullptr; });
    if (!numeric) {
      modelled = false;
      continue;
    }
    const auto text = held.empty() ? c.expr : comparison_text(cmp);
    const auto note = fmt::format("{}: from {}", text, source);
    if (cmp.terms.size() == 1) {
      if (narrow(*numeric_knob(knobs, cmp.terms[0].first), cmp.terms[0].second, cmp.bound, cmp.strict, source))
        ts.constraints.push_back(note);
      continue;
    }
    if (!held.empty()) ts.constraints.push_back(note);
    const bool integral = integer_sum(cmp, knobs);
    linear.push_back({cmp.terms, cmp.strict && integral ? std::ceil(cmp.bound) - 1 : cmp.bound, text});
    modelled = modelled && (!cmp.strict || integral);
  }
  if (!modelled) ts.constraints.push_back(fmt::format("{}: every configuration is checked before it is proposed", source));
}

// The tuner's knobs for the chosen manifest knobs: exclusive flags become one categorical knob.
std::vector<tuner::Knob> tuner_knobs(const std::vector<const Knob*>& chosen) {
  std::vector<tuner::Knob> knobs;
  std::map<std::string, std::vector<tuner::Knob>> groups;
  for (const Knob* k : chosen) {
    if (!k->group.empty() && k->type == KnobKind::flag) groups[k->group].push_back(to_tuner_knob(*k));
    else knobs.push_back(to_tuner_knob(*k));
  }
  for (const auto& [group, members] : groups)
    knobs.push_back(members.size() == 1 ? members.front() : tuner::exclusive_group(group, members));
  return knobs;
}

// Every proposal must be a configuration the scheduler accepts: the manifest's own check.
tuner::Rule accepted_by(const schedulers::Manifest& m, const tuner::Space& space) {
  return [m = std::make_shared<const schedulers::Manifest>(m),
          space = std::make_shared<const tuner::Space>(space)](const tuner::Config& c) -> std::string {
    try {
      schedulers::effective_knobs(*m, to_scheduler_config(*m, *space, c, "proposal"));
      return "";
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
  };
}

void add_knobs(TuneSpace& ts, const schedulers::Manifest& m, const std::vector<const Knob*>& chosen) {
  auto knobs = tuner_knobs(chosen);
  std::set<std::string> tuned;
  for (const Knob* k : chosen) tuned.insert(k->name);
  std::vector<tuner::LinearConstraint> linear;
  for (const auto& c : m.constraints) model_constraint(ts, knobs, linear, m, c, tuned);
  for (auto& k : knobs) ts.space.add(std::move(k));
  for (auto& l : linear) ts.space.add_constraint(std::move(l));
  // The linear model above decides the search; the rule makes its round-off and anything it
  // could not express unable to reach an evaluation.
  if (!m.constraints.empty()) ts.space.set_rule(accepted_by(m, ts.space));
}

}  // namespace

TuneSpace tune_space(const schedulers::Manifest& m, const std::vector<Unavailable>& unavailable,
                     const workloads::WorkloadInfo& workload, const std::vector<std::string>& only) {
  TuneSpace ts{tuner::Space(m.name), {}, {}};
  std::vector<const Knob*> chosen;
  for (const auto& name : only) {
    const Knob* k = m.find_knob(name);
    if (!k) throw UsageError(fmt::format("--knobs: {} has no knob '{}' (see: scxlab list schedulers)", m.name, name));
    if (auto why = why_not(*k, unavailable, workload); !why.empty())
      throw UsageError(fmt::format("--knobs: {} cannot be tuned here: {}", name, why));
    chosen.push_back(k);
  }
  if (only.empty()) {
    for (const auto& k : m.knobs) {
      if (!k.tune) continue;
      if (auto why = why_not(k, unavailable, workload); why.empty()) {
        chosen.push_back(&k);
      } else {
        ts.left_out.push_back(fmt::format("{}: {}", k.name, why));
      }
    }
  }
  if (chosen.empty()) {
    throw UsageError(fmt::format("nothing to tune: no knob of {} is tunable on this host for {}{}", m.name,
                                 workload.name, ts.left_out.empty() ? "" : fmt::format(" ({})", fmt::join(ts.left_out, "; "))));
  }
  try {
    add_knobs(ts, m, chosen);
  } catch (const tuner::SpaceError& e) {
    throw UsageError(fmt::format("the manifest of {} ({}) makes no valid search space: {}", m.name, m.source_file,
                                 e.what()));
  }
  return ts;
}

schedulers::Config to_scheduler_config(const schedulers::Manifest& m, const tuner::Space& space,
                                       const tuner::Config& config, const std::string& label) {
  schedulers::Config out;
  out.scheduler = m.name;
  out.label = label;
  for (std::size_t i = 0; i < space.knobs().size(); ++i) {
    const auto& knob = space.knobs()[i];
    const auto value = tuner::to_string(config.values.at(i));
    if (m.find_knob(knob.name)) {
      out.knobs[knob.name] = value;
    } else {  // an exclusive group: its choice is the member flag that is on, the others off
      for (const auto& member : knob.choices) {
        if (member != "none") out.knobs[member] = member == value ? "true" : "false";
      }
    }
  }
  return out;
}

}  // namespace scxlab::harness
