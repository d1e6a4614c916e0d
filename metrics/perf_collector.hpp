// perf counters for the workload's tasks: opened on the root before it forks, with inherit,
// so every descendant is counted; each read on its own and scaled by time_enabled /
// time_running when the PMU multiplexed it. Software events always; hardware and PMU-native
// events by libpfm4 name. A counter the host lacks is reported unavailable with the reason,
// never as zero.
#pragma once

#include <linux/perf_event.h>
#include <string>
#include <vector>

#include "metrics/collector.hpp"

namespace scxlab::metrics {

// Encodes a libpfm4 event name ("cycles", "instructions", a PMU's native name such as
// "RETIRED_INSTRUCTIONS" or "amd64_fam19h_zen4::RETIRED_INSTRUCTIONS") for perf_event_open,
// counting user and kernel. Throws std::invalid_argument naming the event and libpfm4's reason.
perf_event_attr encode_event(const std::string& name);

// The metric name of a libpfm4 event name: lower case, "::" -> ".", other punctuation -> "_".
std::string perf_metric_name(const std::string& event);

// Opens a counting event on `pid` (any CPU) with inherit; returns the fd or -errno.
int open_counter(perf_event_attr attr, pid_t pid);
// Why perf_event_open failed, for a user: "not supported by this host's PMU (...)".
std::string open_error(int neg_errno);

struct PerfEvent {
  std::string metric;      // "ctx_switches", "cycles", "retired_instructions"
  std::string event;       // the name asked for: "context-switches", "cycles", ...
  perf_event_attr attr{};
  std::string unit;        // "count", "ms"
  double scale = 1;        // value -> unit (task-clock counts ns)
  Direction direction = Direction::informational;
};

class PerfCollector : public Collector {
 public:
  // Resolves the names and tries each event once on this process: those the host cannot
  // count are reported unavailable in every trial without being opened again.
  explicit PerfCollector(const std::vector<std::string>& extra_events);
  ~PerfCollector() override;
  PerfCollector(const PerfCollector&) = delete;
  PerfCollector& operator=(const PerfCollector&) = delete;

  std::string name() const override { return "perf"; }
  void start(const Target& target) override;
  void stop() override;
  Collected results() const override { return results_; }

  const std::vector<PerfEvent>& events() const { return events_; }         // countable here
  const std::vector<Unavailable>& unusable() const { return unusable_; }   // and why not the rest

 private:
  void close_all();
  std::vector<PerfEvent> events_;
  std::vector<Unavailable> unusable_;
  std::vector<int> fds_;  // per event in this trial, or -errno
  Collected results_;
};

}  // namespace scxlab::metrics
