#include "workloads/params.hpp"

#include <fmt/format.h>

namespace scxlab::workloads {

long ParamReader::integer(const std::string& name) const { return std::stol(text(name)); }
double ParamReader::real(const std::string& name) const { return std::stod(text(name)); }
bool ParamReader::boolean(const std::string& name) const { return text(name) == "true"; }

const std::string& ParamReader::text(const std::string& name) const {
  const auto it = p_.find(name);
  if (it == p_.end()) throw std::logic_error("workload parameter '" + name + "' was not validated");
  return it->second;
}

ParamSpec int_param(std::string name, long def, double min, double max, std::string help) {
  return {std::move(name), "int", std::to_string(def), std::move(help), min, max, {}};
}

ParamSpec real_param(std::string name, double def, double min, double max, std::string help) {
  return {std::move(name), "double", fmt::format("{}", def), std::move(help), min, max, {}};
}

ParamSpec bool_param(std::string name, bool def, std::string help) {
  return {std::move(name), "bool", def ? "true" : "false", std::move(help), std::nullopt, std::nullopt, {}};
}

ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices, std::string help) {
  return {std::move(name), "enum", std::move(def), std::move(help), std::nullopt, std::nullopt, std::move(choices)};
}

Metric workload_metric(std::string name, double value, std::string unit, Direction d) {
  return {std::move(name), value, std::move(unit), d, "workload"};
}

std::vector<MetricSpec> latency_metric_specs(const std::string& name, const std::string& what) {
  std::vector<MetricSpec> specs;
  for (const std::string label : {"p50", "p90", "p99", "p99.9", "max"}) {
    specs.push_back({fmt::format("{}_us.{}", name, label), "us", Direction::lower_is_better, label == "p99",
                     fmt::format("{}, {}", what, label)});
  }
  return specs;
}

}  // namespace scxlab::workloads
