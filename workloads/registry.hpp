// How a workload is defined inside the library: either a generator that runs inside the
// forked child (built-ins), or an external program with a parser for its output (adapters,
// command workloads). run() treats both alike.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
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

// What an external program left: its stdout, the tail of its stderr, and the run's private
// directory (files it wrote there, e.g. cyclictest's JSON).
struct ToolOutput {
  std::string out, err;
  std::string scratch;
};

struct Definition {
  WorkloadInfo info;
  // Runs in the harness before the background load and the child start: work the child must
  // inherit rather than do while measured (frames: the work-unit calibration).
  std::function<void(const Params&)> prepare;
  // Built-ins: runs in the child, after the harness attached its collectors.
  std::function<Measurements(const Params&)> generate;
  // External programs: the command line (it may use `scratch`, the run's private directory)
  // and the parser of what the program left.
  std::function<std::vector<std::string>(const Params&, const std::string& scratch)> command;
  std::function<Measurements(const Params&, const ToolOutput&)> parse;
  // Where the program runs ("" = the scratch directory, removed afterwards).
  std::string cwd;
  // Command workloads that run until stopped: SIGINT to the group after this long, a normal end.
  std::optional<std::chrono::milliseconds> stop_after;
  // The program's own time limit, when shorter than the trial's.
  std::optional<std::chrono::milliseconds> timeout;
};

const std::vector<Definition>& definitions();
bool tool_installed(const WorkloadInfo& info);  // built-ins: always
// Also loads "command:<file.toml>" (and keeps it for the process); nullptr when unknown.
// Throws std::runtime_error naming the problem when a command file is malformed.
const Definition* find_definition(const std::string& name);

// The `background` parameter every workload has (see background.hpp).
ParamSpec background_param(const std::vector<std::string>& workload_names);

}  // namespace scxlab::workloads
