#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "metrics/bpf_collector.hpp"
#include "metrics/collector.hpp"
#include "metrics/energy_collector.hpp"
#include "metrics/perf_collector.hpp"
#include "metrics/proc_collector.hpp"
#include "metrics/scx_stats.hpp"

namespace scxlab::metrics {
namespace {

constexpr const char* kBpfMetrics =
    "runq_wait_us.*, runq_wait_after_wakeup_us.*, runq_wait_after_preempt_us.*, oncpu_us.*, "
    "switches.voluntary, switches.involuntary, wakeups, migrations, probes.lost_events";
constexpr const char* kSchedstatMetrics = "schedstat.run_ms, schedstat.wait_ms, schedstat.timeslices, schedstat.mean_wait_us";
constexpr const char* kEnergyMetrics[] = {"energy_j", "power_w.avg"};

// A collector this host can run, or null and why not.
template <typename C>
std::unique_ptr<C> try_make(std::string& why) {
  try {
    return std::make_unique<C>();
  } catch (const CollectorUnavailable& e) {
    why = e.what();
    return nullptr;
  }
}

void bpf_capabilities(std::vector<Capability>& caps) {
  std::string why;
  const auto bpf = try_make<BpfCollector>(why);
  if (!bpf) {
    caps.push_back({"bpf.sched_probes", false, "BPF probes: " + why, kBpfMetrics, ""});
    caps.push_back({"bpf.cross_llc", false, "needs the BPF probes", "migrations.cross_llc", ""});
    caps.push_back({"schedstat", false, "needs the BPF probes' exit hook to count tasks that exit", kSchedstatMetrics, ""});
    return;
  }
  caps.push_back({"bpf.sched_probes", true, "", kBpfMetrics, "attached as " + bpf->attach_mode()});
  caps.push_back({"bpf.cross_llc", bpf->llc_known(),
                  bpf->llc_known() ? "" : "no cache topology in /sys/devices/system/cpu/cpu*/cache",
                  "migrations.cross_llc", ""});
  const bool schedstat = std::ifstream("/proc/self/schedstat").good();
  caps.push_back({"schedstat", schedstat, schedstat ? "" : "/proc/<pid>/schedstat is missing (kernel without CONFIG_SCHED_INFO)",
                  kSchedstatMetrics, "live tasks from /proc, exited tasks from a BPF sched_process_exit hook"});
}

void perf_capabilities(std::vector<Capability>& caps, const std::vector<std::string>& extra) {
  const PerfCollector perf(extra);
  for (const auto& e : perf.events()) {
    caps.push_back({"perf." + e.metric, true, "", e.metric,
                    fmt::format("{} (type {} config {:#x})", e.event, e.attr.type, e.attr.config)});
  }
  for (const auto& u : perf.unusable()) caps.push_back({"perf." + u.name, false, u.reason, u.name, ""});
  const auto has = [&](const char* metric) {
    return std::any_of(perf.events().begin(), perf.events().end(), [&](const PerfEvent& e) { return e.metric == metric; });
  };
  for (const auto& [name, num, den] : {std::tuple{"ipc", "instructions", "cycles"},
                                       {"cache_misses_pki", "cache_misses", "instructions"},
                                       {"branch_misses_pki", "branch_misses", "instructions"}}) {
    const bool ok = has(num) && has(den);
    caps.push_back({std::string("perf.") + name, ok, ok ? "" : fmt::format("needs {} and {}", num, den), name, "derived"});
  }
}

void energy_capabilities(std::vector<Capability>& caps) {
  std::string why;
  const auto energy = try_make<EnergyCollector>(why);
  caps.push_back({"energy", energy != nullptr, why, "energy_j, power_w.avg, energy_per_op", energy ? energy->source() : ""});
}

void proc_capabilities(std::vector<Capability>& caps) {
  const auto cap = [&](const char* name, bool ok, const char* why, const char* metrics) {
    caps.push_back({name, ok, ok ? "" : why, metrics, ""});
  };
  cap("proc.cpu_util", read_cpu_times().has_value(), "/proc/stat is unreadable", "system.cpu_util_pct");
  cap("proc.psi", read_cpu_pressure().has_value(), "/proc/pressure/cpu is missing (kernel without CONFIG_PSI, or psi=0)",
      "psi.cpu_some_ms, psi.cpu_full_ms, psi.cpu_some_pct");
  cap("proc.cpufreq", read_mean_cpu_freq_mhz().has_value(),
      "no /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq (no cpufreq driver; usual in VMs)", "cpu_freq_mhz");
}

}  // namespace

struct CollectorSet::Slot {
  std::unique_ptr<Collector> collector;
  std::optional<std::string> failed;  // why start() or stop() failed in this trial
};

CollectorSet::CollectorSet(const CollectorOptions& options) {
  const auto add = [&](std::unique_ptr<Collector> c) { slots_.push_back({std::move(c), std::nullopt}); };
  const auto off = [&](const char* what) { unavailable_.push_back({what, "turned off in the collector options"}); };
  if (!options.bpf) {
    off("bpf.*");
  } else {
    std::string why;
    if (auto bpf = try_make<BpfCollector>(why)) add(std::move(bpf));
    else unavailable_.push_back({"bpf.*", "BPF probes unavailable: " + why});
  }
  if (options.perf) add(std::make_unique<PerfCollector>(options.perf_events));
  else off("perf.*");
  if (options.proc) add(std::make_unique<ProcCollector>());
  else off("proc.*");
  if (options.scx_stats) add(std::make_unique<ScxStatsCollector>(options.scx_stats_timeout, options.scx_stats_interval));
  else off("scx.*");
  std::string no_energy;
  if (!options.energy) {
    for (const char* m : kEnergyMetrics) off(m);
  } else if (auto energy = try_make<EnergyCollector>(no_energy)) {
    add(std::move(energy));
  } else {
    for (const char* m : kEnergyMetrics) unavailable_.push_back({m, no_energy});
  }
}

CollectorSet::~CollectorSet() = default;

void CollectorSet::start(const Target& target) {
  for (auto& s : slots_) {
    s.failed.reset();
    try {
      s.collector->start(target);
    } catch (const std::exception& e) {
      s.failed = fmt::format("{} collector failed to start: {}", s.collector->name(), e.what());
    }
  }
}

void CollectorSet::stop() {
  for (auto& s : slots_) {
    if (s.failed) continue;
    try {
      s.collector->stop();
    } catch (const std::exception& e) {
      s.failed = fmt::format("{} collector failed to stop: {}", s.collector->name(), e.what());
    }
  }
}

Collected CollectorSet::results() const {
  Collected all;
  all.unavailable = unavailable_;
  for (const auto& s : slots_) {
    if (s.failed) {
      all.unavailable.push_back({s.collector->name() + ".*", *s.failed});
      continue;
    }
    auto r = s.collector->results();
    std::move(r.metrics.begin(), r.metrics.end(), std::back_inserter(all.metrics));
    std::move(r.histograms.begin(), r.histograms.end(), std::back_inserter(all.histograms));
    std::move(r.unavailable.begin(), r.unavailable.end(), std::back_inserter(all.unavailable));
  }
  return all;
}

std::vector<Capability> probe_capabilities(const CollectorOptions& options) {
  std::vector<Capability> caps;
  if (options.bpf) bpf_capabilities(caps);
  if (options.perf) perf_capabilities(caps, options.perf_events);
  if (options.proc) proc_capabilities(caps);
  if (options.scx_stats) {
    caps.push_back({"scx_stats", true, "", "scx.*",
                    "client ready; a scheduler serves it while running (Rust scx schedulers: /var/run/scx/root/stats)"});
  }
  if (options.energy) energy_capabilities(caps);
  return caps;
}

}  // namespace scxlab::metrics
