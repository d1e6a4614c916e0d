// How a workload is defined inside the library: either a generator that runs inside the
// forked child (built-ins), or an external program with a parser for its output (adapters,
// command workloads). run() treats both alike.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "workloads/workload.hpp"

namespace scxlab::workloads {

// What a generator or a parser hands back: metrics and histograms.
struct Measurements {
  std::vector<Metric> metrics;
  std::vector<stats::NamedHistogram> histograms;
};

// Thrown by a generator or parser when the workload did not produce a usable result; the
// message becomes the trial's one-line reason.
struct WorkloadFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Definition {
  WorkloadInfo info;
  // Built-ins: runs in the child, after the harness attached its collectors.
  std::function<Measurements(const Params&)> generate;
  // External programs: the command line, and the parser of (stdout, stderr).
  std::function<std::vector<std::string>(const Params&)> command;
  std::function<Measurements(const Params&, const std::string& out, const std::string& err)> parse;
};

const std::vector<Definition>& definitions();
bool tool_installed(const WorkloadInfo& info);  // built-ins: always
const Definition* find_definition(const std::string& name);  // also loads "command:<file.toml>"

}  // namespace scxlab::workloads
