// Metrics collectors: the scheduler's view of a workload (BPF probes, perf counters, /proc,
// scx_stats) and the machine's energy (RAPL). The public face of the metrics library.
//
// Every collector follows one target: a root process and every task it forks after start()
// (the workload's task tree). Collectors filter in the kernel where they can (BPF: a tgid set
// that follows forks; perf: counters opened on the root with inherit), so unrelated load on
// the machine is not counted.
//
// Per trial: start(target) right after the workload's root exists and BEFORE it forks or does
// any work; stop() once its work is over (its tasks may still exist or be gone); results().
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

#include "stats/histogram.hpp"
#include "stats/metric.hpp"

namespace scxlab::metrics {

struct Target {
  pid_t root_pid = 0;            // the workload's root; it has not forked yet at start()
  std::string scx_stats_socket;  // the running scheduler's scx_stats socket, "" if none
};

struct Collected {
  std::vector<Metric> metrics;
  std::vector<stats::NamedHistogram> histograms;
  std::vector<Unavailable> unavailable;  // what this collector could not measure, and why
};

// Thrown by a collector's constructor when this host cannot run it; what() is the reason.
struct CollectorUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string name() const = 0;  // "bpf", "perf", "proc", "scx_stats", "energy"
  virtual void start(const Target& target) = 0;
  virtual void stop() = 0;               // the target's work is over (it may have exited)
  virtual Collected results() const = 0;
};

// What this host can collect, for `scxlab doctor` and `scxlab list metrics`.
struct Capability {
  std::string name;      // "bpf.sched_probes", "perf.cycles", "proc.psi", "scx_stats", "energy"
  bool available = false;
  std::string reason;    // why not, when not
  std::string metrics;   // the metric names it gives: "runq_wait_us.*, oncpu_us.*, ..."
  std::string detail;    // how, when available: "tp_btf", "type 4 config 0xc0"
};

// libbpf's messages while the probes load, debug included, copied to stderr as they come
// (scxlab -v): a verifier's refusal in full. Off, only the last warning is kept, for the
// reason a collector is unavailable.
void show_libbpf_log(bool on);

struct CollectorOptions {
  bool bpf = true;
  bool perf = true;
  bool proc = true;
  bool scx_stats = true;
  bool energy = true;
  std::vector<std::string> perf_events;  // extra libpfm4 names; software events always
  std::chrono::milliseconds scx_stats_timeout{500};  // per request; a dead scheduler costs this
  std::chrono::milliseconds scx_stats_interval{1000};  // between reads, for gauges' averages
};

// All collectors this host supports, started and stopped together. Those it cannot run are
// kept as Unavailable entries with the reason, never as zeros. Construction does the slow
// part once (loads BPF programs, resolves event names); start/stop per trial are cheap (a
// few milliseconds). A collector that fails in start() or stop() is reported unavailable for
// that trial with the reason; the others go on, so start() and stop() do not throw.
class CollectorSet {
 public:
  explicit CollectorSet(const CollectorOptions& options);
  ~CollectorSet();
  CollectorSet(const CollectorSet&) = delete;
  CollectorSet& operator=(const CollectorSet&) = delete;

  void start(const Target& target);
  void stop();
  Collected results() const;

 private:
  struct Slot;
  std::vector<Slot> slots_;
  std::vector<Unavailable> unavailable_;  // collectors this host cannot run at all
};

std::vector<Capability> probe_capabilities(const CollectorOptions& options);

// energy_per_op, joules per operation, once a trial's metrics are complete: its average power
// (power_w.avg) over the workload's operation rate (`rate_metric`, e.g. "rps.avg"; "" when the
// workload declares none). A rate, not a count, because workloads count operations in their
// measured phase only while the energy covers the whole run, warm-up included, at the same
// load. Adds the metric, or an Unavailable entry saying which input is missing and why.
void add_energy_per_op(std::vector<Metric>& metrics, std::vector<Unavailable>& unavailable,
                       const std::string& rate_metric);

}  // namespace scxlab::metrics
