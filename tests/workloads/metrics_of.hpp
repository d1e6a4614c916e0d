// A workload result's metrics by name, for the workload tests' checks.
#pragma once

#include <map>
#include <string>

#include "workloads/workload.hpp"

namespace scxlab::workloads {

inline std::map<std::string, double> metrics_of(const Result& r) {
  std::map<std::string, double> out;
  for (const auto& m : r.metrics) out[m.name] = m.value;
  return out;
}

}  // namespace scxlab::workloads
