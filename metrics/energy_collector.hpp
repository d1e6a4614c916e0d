// Energy the CPU packages used while the workload ran, from RAPL: the powercap package zones
// (<powercap>/intel-rapl:N, named "package-N" or "package-N-die-M"; AMD's RAPL appears there
// too, as intel-rapl, since Linux 5.11), or else the perf "power" PMU's energy-pkg event
// counted system-wide on one CPU of each package (the PMU's cpumask). Either needs root.
//
// Only whole packages are summed: their core, uncore and dram subzones (intel-rapl:N:M) are
// parts of them or outside the CPU, "psys" (intel-rapl:N named psys) is the platform around
// the packages, and intel-rapl-mmio:N duplicates intel-rapl:N; none is added. RAPL counts the
// whole machine, not the workload's tasks alone: idle and background power are included.
//
// powercap counters wrap at max_energy_range_uj (every few minutes at a few hundred watts),
// so they are also read every `wrap_check` during the trial and each step corrected for one
// wrap. The perf counter is 64 bits (the kernel handles the MSR's wrap).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "metrics/collector.hpp"

namespace scxlab::metrics {

struct EnergyCounter;  // one package's counter (energy_collector.cpp)

struct EnergyPaths {
  std::string powercap = "/sys/class/powercap";
  std::string power_pmu = "/sys/bus/event_source/devices/power";
};

class EnergyCollector : public Collector {
 public:
  // Finds and reads every package counter once; throws CollectorUnavailable saying why
  // neither source can be used here.
  explicit EnergyCollector(const EnergyPaths& paths = {},
                           std::chrono::milliseconds wrap_check = std::chrono::seconds(10));
  ~EnergyCollector() override;
  EnergyCollector(const EnergyCollector&) = delete;
  EnergyCollector& operator=(const EnergyCollector&) = delete;

  std::string name() const override { return "energy"; }
  void start(const Target& target) override;  // the machine's packages: the target is not used
  void stop() override;
  Collected results() const override { return results_; }

  // What is summed: "powercap intel-rapl:0 (package-0) + intel-rapl:1 (package-1)".
  std::string source() const;

 private:
  struct Trial;
  void advance();  // adds each counter's step since its last read
  std::string source_;
  std::vector<EnergyCounter> counters_;
  std::chrono::milliseconds wrap_check_;
  std::unique_ptr<Trial> trial_;
  Collected results_;
};

}  // namespace scxlab::metrics
