// The scheduler probes (bpf/probes/sched_probes.bpf.c) as a collector: runqueue wait (after a
// wakeup, after a preemption, combined), on-CPU time, voluntary and involuntary switches,
// wakeups, migrations (and across last-level caches), and the workload's schedstat sums
// (live tasks from /proc, exited tasks from the probes' exit hook).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/collector.hpp"
#include "metrics/proc_collector.hpp"

struct bpf_object;
struct bpf_link;

namespace scxlab::metrics {

class BpfCollector : public Collector {
 public:
  // Loads and attaches the probes (tp_btf, else raw_tp): the slow part, once per run.
  // Throws CollectorUnavailable with libbpf's reason for both attempts.
  BpfCollector();
  ~BpfCollector() override;
  BpfCollector(const BpfCollector&) = delete;
  BpfCollector& operator=(const BpfCollector&) = delete;

  std::string name() const override { return "bpf"; }
  void start(const Target& target) override;  // clears the maps, seeds the filter
  void stop() override;                       // freezes the filter, reads the maps
  Collected results() const override { return results_; }

  std::string attach_mode() const { return mode_; }  // "tp_btf" or "raw_tp"
  bool llc_known() const { return llc_known_; }      // sysfs told which CPUs share a cache

 private:
  struct Maps {
    int tgids = -1, runnable_since = -1, running_now = -1, hists = -1, counters = -1, llc_of_cpu = -1;
  };
  void clear_maps();
  std::vector<std::uint32_t> traced_tgids() const;

  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  std::string mode_;
  Maps maps_;
  bool llc_known_ = false;
  pid_t root_ = 0;
  Schedstat root_before_;
  Collected results_;
};

// CPU -> id of its last-level cache (the lowest CPU sharing it), read from
// <cpu_dir>/cpuN/cache/index*/{level,type,shared_cpu_list}; empty when sysfs has no caches.
std::vector<std::uint32_t> llc_of_cpus(const std::string& cpu_dir, unsigned cpus);

}  // namespace scxlab::metrics
