// Typed reads of validated workload parameters (validate() already checked types and ranges).
#pragma once

#include <string>

#include "workloads/workload.hpp"

namespace scxlab::workloads {

class ParamReader {
 public:
  explicit ParamReader(const Params& p) : p_(p) {}
  long integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& text(const std::string& name) const;

 private:
  const Params& p_;
};

// Shorthand for declaring parameters.
ParamSpec int_param(std::string name, long def, double min, double max, std::string help);
ParamSpec real_param(std::string name, double def, double min, double max, std::string help);
ParamSpec bool_param(std::string name, bool def, std::string help);
ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices, std::string help);

// Metric shorthand: a measured value with its unit and direction.
Metric workload_metric(std::string name, double value, std::string unit, Direction d);

// `<name>_us.p50|p90|p99|p99.9|max`, lower is better, p99 a headline.
std::vector<MetricSpec> latency_metric_specs(const std::string& name, const std::string& what);

}  // namespace scxlab::workloads
