// The workload definitions, one function each, collected by definitions().
#pragma once

#include "workloads/registry.hpp"

namespace scxlab::workloads {

Definition messaging_workload();
std::vector<MetricSpec> messaging_metric_specs();  // also hackbench's and perf bench messaging's
Definition request_workload();
Definition frames_workload();
std::vector<Definition> tool_workloads();  // hackbench, schbench, perf bench, stress-ng, cyclictest
Definition command_workload(const std::string& toml_path);  // throws std::runtime_error

}  // namespace scxlab::workloads
