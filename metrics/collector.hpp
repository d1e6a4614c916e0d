// Metrics collectors: the scheduler's view of a workload (BPF probes, perf counters, /proc,
// scx_stats). The public face of the metrics library.
//
// Every collector follows one target: a root process and every task it forks after start()
// (the workload's task tree). Collectors filter in the kernel where they can (BPF: a tgid set
// that follows forks; perf: counters opened on the root with inherit), so unrelated load on
// the machine is not counted.
#pragma once

#include <memory>
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

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string name() const = 0;  // "bpf", "perf", "proc", "scx_stats"
  virtual void start(const Target& target) = 0;
  virtual void stop() = 0;               // the target's work is over (it may have exited)
  virtual Collected results() const = 0;
};

// What this host can collect, for `scxlab doctor` and `scxlab list metrics`.
struct Capability {
  std::string name;      // "bpf.runq_wait", "perf.cycles", "proc.psi", "scx_stats"
  bool available = false;
  std::string reason;    // why not, when not
};

struct CollectorOptions {
  bool bpf = true;
  bool perf = true;
  bool proc = true;
  std::vector<std::string> perf_events;  // extra libpfm4 names; software events always
};

// All collectors this host supports, started and stopped together. Those it cannot run are
// kept as Unavailable entries with the reason, never as zeros. Construction does the slow
// part once (loads BPF programs, resolves event names); start/stop per trial are cheap.
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
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::vector<Unavailable> unavailable_;
};

std::vector<Capability> probe_capabilities(const CollectorOptions& options);

}  // namespace scxlab::metrics
