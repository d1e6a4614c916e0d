// The system around a trial from /proc and /sys: CPU pressure (PSI) and utilisation over the
// trial, and CPU frequency where the host exposes it. Also the per-task schedstat reader that
// the BPF collector sums over the workload's processes.
#pragma once

#include <optional>
#include <string>

#include <sys/types.h>

#include "metrics/collector.hpp"

namespace scxlab::metrics {

struct CpuTimes {
  unsigned long long busy = 0, total = 0;  // USER_HZ ticks over all CPUs
};
struct Psi {
  unsigned long long some_us = 0, full_us = 0;  // cumulative stall time
};

std::optional<CpuTimes> read_cpu_times(const std::string& path = "/proc/stat");
std::optional<Psi> read_cpu_pressure(const std::string& path = "/proc/pressure/cpu");
std::optional<double> read_mean_cpu_freq_mhz(const std::string& cpu_dir = "/sys/devices/system/cpu");

// /proc/<pid>/task/<tid>/schedstat: time on the CPU, time waiting on a runqueue, number of
// times run (sched_info pcount).
struct Schedstat {
  unsigned long long run_ns = 0, wait_ns = 0, timeslices = 0;
  Schedstat& operator+=(const Schedstat& o);
  Schedstat operator-(const Schedstat& o) const;  // saturates at 0
};
// Sum over a process's threads that have not exited: zombies are skipped (whoever wants
// exited tasks takes their counters at exit). Zero when the process is gone.
Schedstat read_process_schedstat(pid_t tgid);

class ProcCollector : public Collector {
 public:
  std::string name() const override { return "proc"; }
  void start(const Target& target) override;
  void stop() override;
  Collected results() const override { return results_; }

 private:
  std::optional<CpuTimes> cpu0_;
  std::optional<Psi> psi0_;
  std::optional<double> freq0_;
  std::chrono::steady_clock::time_point t0_;
  Collected results_;
};

}  // namespace scxlab::metrics
