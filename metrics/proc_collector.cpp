#include "metrics/proc_collector.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/files.hpp"

namespace scxlab::metrics {
namespace {

// "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" -> 12345
std::optional<unsigned long long> psi_total(const std::string& line) {
  const auto at = line.find("total=");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(line.substr(at + 6));
}

// The state letter of /proc/.../stat: after the last ')' (the command may contain one).
char task_state(const std::filesystem::path& stat_file) {
  const std::string text = base::read_file_or_empty(stat_file);  // the task may be gone (ESRCH)
  const auto paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() ? 'X' : text[paren + 2];
}

Metric proc_metric(std::string name, double value, std::string unit, Direction d = Direction::informational) {
  return {std::move(name), value, std::move(unit), d, "proc"};
}

}  // namespace

std::optional<CpuTimes> read_cpu_times(const std::string& path) {
  std::ifstream in(path);
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
  unsigned long long v[8] = {};
  for (auto& x : v) {
    if (!(in >> x)) return std::nullopt;
  }
  CpuTimes t;
  for (auto x : v) t.total += x;
  t.busy = t.total - v[3] - v[4];
  return t;
}

std::optional<Psi> read_cpu_pressure(const std::string& path) {
  std::ifstream in(path);
  std::string some, full;
  if (!std::getline(in, some)) return std::nullopt;
  const auto some_us = psi_total(some);
  if (!some_us) return std::nullopt;
  std::getline(in, full);  // "full" for the CPU exists since Linux 5.13
  return Psi{*some_us, psi_total(full).value_or(0)};
}

std::optional<double> read_mean_cpu_freq_mhz(const std::string& cpu_dir) {
  double sum = 0;
  unsigned n = 0;
  std::error_code ec;
  for (const auto& cpu : std::filesystem::directory_iterator(cpu_dir, ec)) {
    double khz = 0;
    if (std::ifstream(cpu.path() / "cpufreq" / "scaling_cur_freq") >> khz) {
      sum += khz / 1000;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

Schedstat& Schedstat::operator+=(const Schedstat& o) {
  run_ns += o.run_ns;
  wait_ns += o.wait_ns;
  timeslices += o.timeslices;
  return *this;
}

Schedstat Schedstat::operator-(const Schedstat& o) const {
  const auto sub = [](unsigned long long a, unsigned long long b) { return a > b ? a - b : 0ULL; };
  return {sub(run_ns, o.run_ns), sub(wait_ns, o.wait_ns), sub(timeslices, o.timeslices)};
}

Schedstat read_process_schedstat(pid_t tgid) {
  Schedstat total;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", tgid), ec)) {
    const char state = task_state(task.path() / "stat");
    if (state == 'Z' || state == 'X') continue;
    Schedstat s;
    if (std::istringstream(base::read_file_or_empty(task.path() / "schedstat")) >> s.run_ns >> s.wait_ns >> s.timeslices)
      total += s;
  }
  return total;
}

void ProcCollector::start(const Target&) {
  results_ = {};
  cpu0_ = read_cpu_times();
  psi0_ = read_cpu_pressure();
  freq0_ = read_mean_cpu_freq_mhz();
  t0_ = std::chrono::steady_clock::now();
}

void ProcCollector::stop() {
  Collected out;
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
  const auto cpu1 = read_cpu_times();
  if (cpu0_ && cpu1 && cpu1->total > cpu0_->total) {
    const auto busy = static_cast<double>(cpu1->busy - cpu0_->busy);
    out.metrics.push_back(proc_metric("system.cpu_util_pct", 100 * busy / static_cast<double>(cpu1->total - cpu0_->total), "%"));
  } else {
    out.unavailable.push_back({"system.cpu_util_pct", cpu0_ ? "the trial was shorter than one clock tick" : "/proc/stat is unreadable"});
  }
  const auto psi1 = read_cpu_pressure();
  if (psi0_ && psi1) {
    const double some_ms = static_cast<double>(psi1->some_us - psi0_->some_us) / 1000;
    out.metrics.push_back(proc_metric("psi.cpu_some_ms", some_ms, "ms"));
    out.metrics.push_back(proc_metric("psi.cpu_full_ms", static_cast<double>(psi1->full_us - psi0_->full_us) / 1000, "ms"));
    if (wall_ms > 0) out.metrics.push_back(proc_metric("psi.cpu_some_pct", 100 * some_ms / wall_ms, "%"));
  } else {
    out.unavailable.push_back({"psi.cpu_*", "/proc/pressure/cpu is missing (a kernel without CONFIG_PSI, or booted with psi=0)"});
  }
  const auto freq1 = read_mean_cpu_freq_mhz();
  if (freq0_ && freq1) {
    out.metrics.push_back(proc_metric("cpu_freq_mhz", (*freq0_ + *freq1) / 2, "MHz"));
  } else {
    out.unavailable.push_back({"cpu_freq_mhz", "no /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq (no cpufreq driver; usual in VMs)"});
  }
  results_ = std::move(out);
}

}  // namespace scxlab::metrics
