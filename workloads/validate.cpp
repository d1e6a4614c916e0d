// Parameter validation: names, types, ranges, defaults; errors name the input and the fix.
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "workloads/registry.hpp"

namespace scxlab::workloads {
namespace {

std::vector<std::string> names_of(const std::vector<ParamSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& p : specs) names.push_back(p.name);
  return names;
}

std::optional<double> as_number(const std::string& s, bool integral) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    if (integral && v != std::floor(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> as_bool(const std::string& s) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") return "true";
  if (s == "false" || s == "0" || s == "no" || s == "off") return "false";
  return std::nullopt;
}

// The value in canonical form, or an error message.
std::pair<std::string, std::string> check(const std::string& workload, const ParamSpec& spec, const std::string& value) {
  const auto prefix = fmt::format("workload '{}': {}={}", workload, spec.name, value);
  if (spec.type == "bool") {
    if (auto b = as_bool(value)) return {*b, ""};
    return {"", prefix + " is not a boolean (use true or false)"};
  }
  if (spec.type == "enum") {
    for (const auto& c : spec.choices) {
      if (c == value) return {value, ""};
    }
    return {"", fmt::format("{} is not one of {}", prefix, fmt::join(spec.choices, "|"))};
  }
  if (spec.type == "int" || spec.type == "double") {
    const auto v = as_number(value, spec.type == "int");
    if (!v) return {"", fmt::format("{} is not {}", prefix, spec.type == "int" ? "an integer" : "a number")};
    if ((spec.min && *v < *spec.min) || (spec.max && *v > *spec.max)) {
      return {"", fmt::format("{} is out of range [{}, {}]", prefix, spec.min.value_or(-INFINITY), spec.max.value_or(INFINITY))};
    }
    return {spec.type == "int" ? fmt::format("{}", static_cast<long long>(*v)) : value, ""};
  }
  return {value, ""};
}

}  // namespace

Validated validate(const std::string& workload, const Params& given) {
  const Definition* def = nullptr;
  try {
    def = find_definition(workload);
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  }
  if (!def) {
    std::vector<std::string> names;
    for (const auto& d : definitions()) names.push_back(d.info.name);
    return {std::nullopt, fmt::format("unknown workload '{}' (valid: {}, or command:FILE.toml)", workload, fmt::join(names, ", "))};
  }
  const auto& specs = def->info.params;
  Params out;
  for (const auto& spec : specs) out[spec.name] = spec.default_value;
  for (const auto& [name, value] : given) {
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (it == specs.end()) {
      return {std::nullopt, fmt::format("workload '{}' has no parameter '{}' (valid: {})", workload, name,
                                        fmt::join(names_of(specs), ", "))};
    }
    auto [canonical, error] = check(workload, *it, value);
    if (!error.empty()) return {std::nullopt, error};
    out[name] = canonical;
  }
  return {out, ""};
}

namespace {

// The info with what this host lacks to run it, checked now (a tool may have been installed since).
WorkloadInfo info_on_this_host(const Definition& d) {
  auto info = d.info;
  if (!tool_installed(info)) info.unavailable = "not installed: " + info.install_hint;
  return info;
}

}  // namespace

std::vector<WorkloadInfo> list_workloads() {
  std::vector<WorkloadInfo> out;
  for (const auto& d : definitions()) out.push_back(info_on_this_host(d));
  return out;
}

std::optional<WorkloadInfo> find_workload(const std::string& name) {
  if (const auto* d = find_definition(name)) return info_on_this_host(*d);
  return std::nullopt;
}

std::string_view to_string(Result::Status s) {
  switch (s) {
    case Result::Status::ok: return "ok";
    case Result::Status::failed: return "failed";
    case Result::Status::timed_out: return "timed_out";
    case Result::Status::interrupted: return "interrupted";
  }
  return "failed";
}

}  // namespace scxlab::workloads
