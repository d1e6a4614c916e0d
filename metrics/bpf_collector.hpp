// The scheduler probes (bpf/probes/sched_probes.bpf.c) as a collector: runqueue wait (after a
// wakeup, after a preemption, combined), on-CPU time, voluntary and involuntary switches,
// wakeups, migrations (and across last-level caches), and the workload's schedstat sums
// (live tasks from /proc, exited tasks from the probes' exit hook).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metrics/collector.hpp"
#include "metrics/proc_collector.hpp"

struct bpf_object;
struct bpf_link;

namespace scxlab::metrics {

// Which build of the probes to load: tp_btf with raw_tp as the fallback, or raw_tp alone
// (to test the fallback on a kernel where tp_btf works).
enum class BpfAttach { automatic, raw_tp };

// A loaded build of the probes: the object and its attached programs' links, released in
// that order's reverse (links first) on every path, a failed load included.
struct BpfProbes {
  struct CloseObject {
    void operator()(bpf_object* object) const;
  };
  struct DestroyLink {
    void operator()(bpf_link* link) const;
  };
  std::unique_ptr<bpf_object, CloseObject> object;
  std::vector<std::unique_ptr<bpf_link, DestroyLink>> links;
};

class BpfCollector : public Collector {
 public:
  // Loads and attaches the probes: the slow part, once per run. Throws CollectorUnavailable
  // with libbpf's reason for every build tried.
  explicit BpfCollector(BpfAttach attach = BpfAttach::automatic);
  BpfCollector(const BpfCollector&) = delete;
  BpfCollector& operator=(const BpfCollector&) = delete;

  std::string name() const override { return "bpf"; }
  void start(const Target& target) override;  // clears the maps, seeds the filter
  void stop() override;                       // freezes the filter, reads the maps
  Collected results() const override { return results_; }

  // The build of the probes that loaded: tp_btf (task local storage keyed by pidfd) or raw_tp
  // (a hash keyed by pid).
  enum class Build { tp_btf, raw_tp };
  std::string attach_mode() const { return build_ == Build::tp_btf ? "tp_btf" : "raw_tp"; }

  // CPU time the probes' programs have run, over all CPUs and every task (the filter itself
  // costs too), and how many times; both stay 0 unless the kernel keeps BPF run-time
  // statistics (sysctl kernel.bpf_stats_enabled=1, or a BPF_ENABLE_STATS file descriptor).
  struct RunTime {
    std::uint64_t ns = 0, runs = 0;
  };
  RunTime run_time() const;
  bool llc_known() const { return llc_known_; }      // sysfs told which CPUs share a cache

 private:
  struct Maps {
    int trial = -1, tgids = -1, task_infos = -1, hists = -1, counters = -1, llc_of_cpu = -1;
  };
  void set_trial(std::uint32_t n);  // 0: between trials, nothing is counted
  void clear_maps();
  void trace_root(std::uint32_t n);
  std::vector<std::uint32_t> traced_tgids() const;

  BpfProbes probes_;
  RunTime run_time_at_start_;
  Build build_ = Build::tp_btf;
  Maps maps_;
  bool llc_known_ = false;
  std::uint32_t trial_ = 0;
  pid_t root_ = 0;
  Schedstat root_before_;
  Collected results_;
};

// CPU -> id of its last-level cache (the lowest CPU sharing it), read from
// <cpu_dir>/cpuN/cache/index*/{level,type,shared_cpu_list}; empty when sysfs has no caches.
std::vector<std::uint32_t> llc_of_cpus(const std::string& cpu_dir, unsigned cpus);

}  // namespace scxlab::metrics
