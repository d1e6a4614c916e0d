// Knob values: checking them, reading them from a scheduler's own arguments, and building
// the arguments back from them.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "schedulers/constraint.hpp"
#include "schedulers/knob_values.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {
namespace {

constexpr std::string_view kBinaryItem = "binary=";

bool is_positional(const Knob& k) { return k.flag == "<positional>"; }

std::optional<std::string> canonical_bool(const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return "true";
  if (v == "false" || v == "0" || v == "no" || v == "off") return "false";
  return std::nullopt;
}

std::string range_text(const Knob& k) {
  const auto bound = [](const std::optional<double>& b) { return b ? fmt::format("{}", *b) : std::string("..."); };
  return fmt::format("[{}, {}]", bound(k.min), bound(k.max));
}

void check_range(const Manifest& m, const Knob& k, double x, const std::string& v) {
  if ((k.min && x < *k.min) || (k.max && x > *k.max)) {
    throw std::invalid_argument(fmt::format("{}: {}={} is outside its range {}{}; fix: choose a value in that range",
                                            m.name, k.name, v, range_text(k), k.unit.empty() ? "" : " " + k.unit));
  }
}

const Knob* knob_by_flag(const Manifest& m, const std::string& flag) {
  for (const auto& k : m.knobs) {
    if (!flag.empty() && (k.flag == flag || k.short_flag == flag)) return &k;
  }
  return nullptr;
}

const Knob* positional_knob(const Manifest& m) {
  for (const auto& k : m.knobs) {
    if (is_positional(k)) return &k;
  }
  return nullptr;
}

std::string known_flags(const Manifest& m) {
  std::vector<std::string> flags;
  for (const auto& k : m.knobs) {
    if (k.target == "args" && !is_positional(k)) flags.push_back(k.flag);
  }
  return flags.empty() ? "none" : fmt::format("{}", fmt::join(flags, " "));
}

std::string preset_names(const Manifest& m) {
  std::vector<std::string> names;
  for (const auto& [name, args] : m.presets) names.push_back(name);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// "Active" for an exclusive group: a boolean knob set to true, any other knob set at all.
bool active(const Knob& k, const std::string& value) { return !is_boolean(k.type) || value == "true"; }

void check_groups(const Manifest& m, const std::map<std::string, std::string>& values) {
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& k : m.knobs) {
    const auto it = values.find(k.name);
    if (!k.group.empty() && it != values.end() && active(k, it->second)) members[k.group].push_back(k.name);
  }
  for (const auto& [group, names] : members) {
    if (names.size() > 1) {
      throw std::invalid_argument(fmt::format("{}: {} are mutually exclusive (group '{}'); fix: keep only one of them",
                                              m.name, fmt::join(names, " and "), group));
    }
  }
}

void check_constraints(const Manifest& m, const std::map<std::string, std::string>& values) {
  const auto lookup = [&](const ConstraintExpr::Ref& ref) { return constraint_value(m, values, ref); };
  for (const auto& c : m.constraints) {
    if (ConstraintExpr::parse(c.expr).eval(lookup) != false) continue;
    std::vector<std::string> shown;
    for (const auto& name : ConstraintExpr::parse(c.expr).names()) {
      const auto it = values.find(name);
      const Knob* k = m.find_knob(name);
      shown.push_back(fmt::format("{}={}{}", name, it != values.end() ? it->second : k->default_value,
                                  it != values.end() ? "" : " (default)"));
    }
    throw std::invalid_argument(fmt::format("{}: constraint '{}' does not hold with {}{}", m.name, c.expr,
                                            fmt::join(shown, ", "), c.help.empty() ? "" : "; fix: " + c.help));
  }
}

std::vector<std::string> split_items(const std::string& text) {
  std::vector<std::string> items;
  std::string cur;
  for (char ch : text) {
    if (ch == ',' || ch == ' ' || ch == '\t') {
      if (!cur.empty()) items.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) items.push_back(cur);
  return items;
}

const Manifest& find_manifest(const std::string& name, const std::vector<Manifest>& manifests) {
  for (const auto& m : manifests) {
    if (m.name == name) return m;
  }
  // The kernel default answers to its kernel's name too ("cfs" before 6.6).
  for (const auto& m : manifests) {
    if (m.backend == BackendKind::kernel && (name == default_scheduler_name() || name == "default")) return m;
  }
  std::vector<std::string> names;
  for (const auto& m : manifests) names.push_back(m.name);
  throw std::invalid_argument(fmt::format("unknown scheduler '{}'; known: {} (see: scxlab list schedulers)", name,
                                          fmt::join(names, ", ")));
}

}  // namespace


std::vector<std::string> repeated_items(const std::string& value) {
  std::istringstream words(value);
  std::vector<std::string> items;
  for (std::string w; words >> w;) items.push_back(w);
  return items;
}

const Knob* Manifest::find_knob(const std::string& knob_name) const {
  for (const auto& k : knobs) {
    if (k.name == knob_name) return &k;
  }
  return nullptr;
}

std::string checked_value(const Manifest& m, const Knob& k, const std::string& value) {
  if (is_boolean(k.type)) {
    if (auto b = canonical_bool(value)) return *b;
    throw std::invalid_argument(fmt::format("{}: {}='{}' is not a boolean; fix: use true or false", m.name, k.name, value));
  }
  if (k.type == KnobKind::integer) {
    long long x = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
    if (ec != std::errc() || end != value.data() + value.size()) {
      throw std::invalid_argument(fmt::format("{}: {}='{}' is not an integer; fix: give a whole number in {}", m.name,
                                              k.name, value, range_text(k)));
    }
    check_range(m, k, static_cast<double>(x), value);
    return value;
  }
  if (k.type == KnobKind::real) {
    size_t used = 0;
    double x = 0;
    try {
      x = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || value.empty() || !std::isfinite(x)) {
      throw std::invalid_argument(fmt::format("{}: {}='{}' is not a number; fix: give a number in {}", m.name, k.name,
                                              value, range_text(k)));
    }
    check_range(m, k, x, value);
    return value;
  }
  if (k.type == KnobKind::choice) {
    for (const auto& c : k.choices) {
      if (c == value) return value;
    }
    throw std::invalid_argument(fmt::format("{}: {}='{}' is not one of its choices; fix: use one of {}", m.name,
                                            k.name, value, fmt::join(k.choices, ", ")));
  }
  if (repeated_items(value).empty()) throw std::invalid_argument(fmt::format("{}: {} is empty; fix: give it a value", m.name, k.name));
  return k.repeat ? fmt::format("{}", fmt::join(repeated_items(value), " ")) : value;
}

std::map<std::string, std::string> parse_args(const Manifest& m, const std::vector<std::string>& args) {
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-' || a == "-") {
      const Knob* p = positional_knob(m);
      if (!p) {
        throw std::invalid_argument(fmt::format("{}: unexpected argument '{}' (it takes no positional arguments; its "
                                                "presets: {})", m.name, a, preset_names(m)));
      }
      values[p->name] = checked_value(m, *p, a);
      continue;
    }
    const auto eq = a.find('=');
    const std::string flag = a.substr(0, eq);
    const Knob* k = knob_by_flag(m, flag);
    if (!k) {
      throw std::invalid_argument(fmt::format("{}: no knob has the flag '{}'; its flags: {}", m.name, flag, known_flags(m)));
    }
    std::string value;
    if (eq != std::string::npos) {
      value = a.substr(eq + 1);
      if (k->type == KnobKind::flag) {
        throw std::invalid_argument(fmt::format("{}: {} takes no value; fix: write '{}' alone, or leave it out for false",
                                                m.name, flag, flag));
      }
    } else if (k->type == KnobKind::flag || k->type == KnobKind::bool_eq) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw std::invalid_argument(fmt::format("{}: {} needs a value; fix: write {}=<value>", m.name, flag, flag));
    }
    const auto earlier = values.find(k->name);
    if (k->repeat && earlier != values.end()) value = earlier->second + " " + value;  // one item per occurrence
    values[k->name] = checked_value(m, *k, value);
  }
  return values;
}

std::map<std::string, std::string> effective_knobs(const Manifest& m, const Config& c) {
  std::map<std::string, std::string> values;
  if (!c.preset.empty()) {
    const auto it = m.presets.find(c.preset);
    if (it == m.presets.end()) {
      throw std::invalid_argument(fmt::format("{}: no preset '{}'; its presets: {}", m.name, c.preset, preset_names(m)));
    }
    values = parse_args(m, it->second);
  }
  for (const auto& [name, value] : c.knobs) {
    const Knob* k = m.find_knob(name);
    if (!k) {
      std::vector<std::string> names;
      for (const auto& kk : m.knobs) names.push_back(kk.name);
      throw std::invalid_argument(fmt::format("{}: no knob named '{}'; its knobs: {}", m.name, name, fmt::join(names, ", ")));
    }
    values[name] = checked_value(m, *k, value);
  }
  check_groups(m, values);
  check_constraints(m, values);
  return values;
}

std::vector<std::string> build_args(const Manifest& m, const Config& c) {
  const auto values = effective_knobs(m, c);
  std::vector<std::string> args;
  for (const auto& k : m.knobs) {
    if (k.target != "args") continue;
    const auto it = values.find(k.name);
    if (it == values.end()) {
      if (is_positional(k) && !k.default_value.empty()) args.push_back(k.default_value);
      continue;
    }
    const std::string& v = it->second;
    if (is_positional(k)) args.push_back(v);
    else if (k.type == KnobKind::flag) {
      if (v == "true") args.push_back(k.flag);
    } else if (k.type == KnobKind::bool_eq) args.push_back(k.flag + "=" + v);
    else if (k.repeat) {
      for (const auto& item : repeated_items(v)) args.insert(args.end(), {k.flag, item});
    } else {
      args.push_back(k.flag);
      args.push_back(v);
    }
  }
  args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
  return args;
}

Config parse_config(const std::string& spec, const std::vector<Manifest>& manifests) {
  const auto colon = spec.find(':');
  const Manifest& m = find_manifest(spec.substr(0, colon), manifests);
  Config c;
  c.scheduler = m.name;
  c.label = spec;
  if (colon == std::string::npos) return c;
  std::vector<std::string> flag_args;
  const auto items = split_items(spec.substr(colon + 1));
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (item == "--") {
      c.extra_args.assign(items.begin() + static_cast<long>(i) + 1, items.end());
      break;
    }
    const auto eq = item.find('=');
    if (item.rfind(kBinaryItem, 0) == 0 && !m.find_knob("binary")) {
      if (item.size() == kBinaryItem.size()) {
        throw std::invalid_argument(fmt::format("{}: binary= needs a path; fix: binary=./build/{}", m.name, m.binary));
      }
      c.binary = std::filesystem::absolute(item.substr(kBinaryItem.size())).lexically_normal().string();
      resolve_binary(m, c.binary);  // missing or not executable: say so before anything runs
    } else if (m.presets.count(item) && c.preset.empty()) c.preset = item;
    else if (item[0] != '-' && eq != std::string::npos && m.find_knob(item.substr(0, eq))) c.knobs[item.substr(0, eq)] = item.substr(eq + 1);
    else if (item[0] != '-' && !positional_knob(m) && (flag_args.empty() || flag_args.back()[0] != '-')) {
      throw std::invalid_argument(fmt::format("{}: '{}' is neither a preset ({}) nor a knob=value nor a --flag", m.name,
                                              item, preset_names(m)));
    } else {
      flag_args.push_back(item);
    }
  }
  for (const auto& [name, value] : parse_args(m, flag_args)) c.knobs[name] = value;
  effective_knobs(m, c);  // report a bad value, group or constraint now, naming the spec
  return c;
}

}  // namespace scxlab::schedulers
