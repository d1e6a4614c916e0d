// Workloads: what a trial runs. The public face of the workloads library.
//
// A workload runs in a child process of its own (its "root"), so the metrics collectors can
// follow exactly its tasks: `RunOptions::on_ready` gets the root's pid after the child exists
// and before it does any work or forks, so collectors can attach (BPF filter, perf inherit).
// Background load (frames' `background=hogs`, ...) runs in a separate process tree that is
// NOT a descendant of the root, so it is never counted as the workload.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "stats/histogram.hpp"
#include "stats/metric.hpp"

namespace scxlab::workloads {

struct ParamSpec {
  std::string name;
  std::string type;           // "int", "double", "bool", "enum", "string"
  std::string default_value;  // textual
  std::string help;
  std::optional<double> min, max;    // inclusive range for numbers
  std::vector<std::string> choices;  // for "enum"
};

struct MetricSpec {
  std::string name;  // "time_s", "frame_time_ms.p99"
  std::string unit;
  Direction direction = Direction::informational;
  bool headline = false;  // shown as a column in the shootout table, used for adaptive reps
  std::string help;
};

struct WorkloadInfo {
  std::string name;     // "messaging", "request", "frames", "hackbench", "command:<file>"
  std::string summary;  // one line
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;
  std::string operation_rate;  // the metric of operations per second, for energy_per_op; "" if none
  std::string tool;         // external program it needs ("" for built-ins)
  std::string install_hint; // "apt install rt-tests" when `tool` is missing
  std::string unavailable;  // "" when this host can run it, else why not: "not installed: apt install rt-tests"
};

using Params = std::map<std::string, std::string>;

struct Result {
  enum class Status { ok, failed, timed_out, interrupted };
  Status status = Status::ok;
  std::string reason;       // why it failed, one line
  std::string stderr_tail;  // last lines of the child's stderr, for the record
  std::vector<Metric> metrics;
  std::vector<stats::NamedHistogram> histograms;
  double wall_s = 0;        // the child's wall time, for the harness's own overhead figure
};
std::string_view to_string(Result::Status s);

struct RunOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  const std::atomic<bool>* cancel = nullptr;   // set by a signal handler: stop, report interrupted
  std::function<void(pid_t root)> on_ready;    // attach collectors here
  std::function<void()> on_finished;           // the workload's work is done; tasks may still exist
};

// Every workload this build knows: the built-in generators and the adapters for real tools
// (listed even when the tool is missing: see WorkloadInfo::unavailable). Command workloads
// are not listed; find_workload("command:FILE.toml") loads one (format: workloads/README.md)
// and throws std::runtime_error naming the problem when the file is malformed.
std::vector<WorkloadInfo> list_workloads();
std::optional<WorkloadInfo> find_workload(const std::string& name);

// Checks names and ranges and fills defaults. On error, the message names the bad input and
// lists the valid choices or the range.
struct Validated {
  std::optional<Params> params;
  std::string error;
};
Validated validate(const std::string& workload, const Params& given);

// Runs one repetition. Never throws for a workload failure: the Result says how it ended.
Result run(const std::string& workload, const Params& params, const RunOptions& options);

// Suites: named lists of workload runs (workloads/suites/*.toml, or a path to a TOML file).
struct SuiteEntry {
  std::string label;     // unique in the suite, shown in tables: "messaging-pipes"
  std::string workload;
  Params params;
};
struct Suite {
  std::string name;
  std::string description;
  std::vector<SuiteEntry> entries;
};
std::vector<std::string> list_suites();
Suite load_suite(const std::string& name_or_path);  // throws std::runtime_error naming the problem

}  // namespace scxlab::workloads
