#include "harness/tune_space.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/errors.hpp"

namespace scxlab::harness {
namespace {

using schedulers::Knob;

bool is_boolean(const Knob& k) { return k.type == "flag" || k.type == "bool_value" || k.type == "bool_eq"; }

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
  if (k.type == "string") return "a string knob has no search range";
  if (!is_boolean(k) && k.type != "enum" && !(k.tune_min || k.min)) return "the manifest gives no range";
  if (!is_boolean(k) && k.type != "enum" && k.default_value.empty()) return "the manifest gives no default";
  return "";
}

tuner::Value parse_default(const Knob& k) {
  if (is_boolean(k)) return k.default_value == "true";
  if (k.type == "enum") return k.default_value.empty() ? k.choices.front() : k.default_value;
  if (k.type == "int") return static_cast<std::int64_t>(std::stoll(k.default_value));
  return std::stod(k.default_value);
}

tuner::FlagStyle style_of(const Knob& k) {
  if (k.type == "flag") return tuner::FlagStyle::presence;
  if (k.type == "bool_eq") return tuner::FlagStyle::equals;
  return tuner::FlagStyle::value;
}

tuner::Knob to_tuner_knob(const Knob& k) {
  tuner::Knob t;
  t.name = k.name;
  t.flag = k.target == "args" ? k.flag : "";
  t.style = style_of(k);
  t.default_value = parse_default(k);
  t.meta = {{"unit", k.unit}, {"target", k.target}, {"meaning", k.meaning}};
  if (is_boolean(k)) {
    t.type = tuner::KnobType::boolean;
  } else if (k.type == "enum") {
    t.type = tuner::KnobType::categorical;
    t.choices = k.choices;
  } else {
    t.type = k.type == "int" ? tuner::KnobType::integer : tuner::KnobType::real;
    t.low = k.tune_min ? *k.tune_min : *k.min;
    t.high = k.tune_max ? *k.tune_max : (k.max ? *k.max : t.low);
    const double d = tuner::as_number(t.default_value);
    t.low = std::min(t.low, d);  // the default must be a point of the space
    t.high = std::max(t.high, d);
    t.scale = k.scale == "log" ? tuner::Scale::log : tuner::Scale::linear;
  }
  return t;
}

// "a <= b <= c" (or "<") over knobs of the space -> a - b <= 0, b - c <= 0; expressions
// with anything else (||, &&, ==, numbers) are not linear in this sense: nullopt.
std::vector<tuner::LinearConstraint> chain_constraints(const std::string& expr, const tuner::Space& space) {
  std::istringstream words(expr);
  std::vector<std::string> tokens;
  for (std::string w; words >> w;) tokens.push_back(w);
  if (tokens.size() < 3 || tokens.size() % 2 == 0) return {};
  std::vector<tuner::LinearConstraint> out;
  for (std::size_t i = 0; i + 2 < tokens.size(); i += 2) {
    const auto &a = tokens[i], &op = tokens[i + 1], &b = tokens[i + 2];
    if ((op != "<=" && op != "<") || !space.index_of(a) || !space.index_of(b)) return {};
    const bool strict_ints = op == "<" && space.knob(a).type == tuner::KnobType::integer &&
                             space.knob(b).type == tuner::KnobType::integer;
    out.push_back({{{a, 1.0}, {b, -1.0}}, strict_ints ? -1.0 : 0.0, expr});
  }
  return out;
}

void add_knobs(TuneSpace& ts, const schedulers::Manifest& m, const std::vector<const Knob*>& chosen) {
  std::map<std::string, std::vector<tuner::Knob>> groups;
  for (const Knob* k : chosen) {
    if (!k->group.empty() && k->type == "flag") {
      groups[k->group].push_back(to_tuner_knob(*k));
    } else {
      ts.space.add(to_tuner_knob(*k));
    }
  }
  for (const auto& [group, members] : groups) {
    ts.space.add(members.size() == 1 ? members.front() : tuner::exclusive_group(group, members));
  }
  for (const auto& c : m.constraints) {
    const auto linear = chain_constraints(c.expr, ts.space);
    if (linear.empty()) {
      ts.left_out.push_back(fmt::format("constraint '{}': checked per proposal, not modelled", c.expr));
    }
    for (const auto& l : linear) ts.space.add_constraint(l);
  }
}

}  // namespace

TuneSpace tune_space(const schedulers::Manifest& m, const std::vector<Unavailable>& unavailable,
                     const workloads::WorkloadInfo& workload, const std::vector<std::string>& only) {
  TuneSpace ts{tuner::Space(m.name), {}};
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
