#include "metrics/energy_collector.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "metrics/periodic.hpp"

namespace scxlab::metrics {
namespace fs = std::filesystem;

// One package's energy counter: a raw value that grows and, for powercap, wraps to 0 after
// `range`.
struct EnergyCounter {
  std::string label;                        // "intel-rapl:0 (package-0)", "cpu 0"
  std::function<std::uint64_t()> read_raw;  // throws std::runtime_error naming what failed
  std::uint64_t range = 0;                  // 0: it never wraps
  double joules_per_count = 1e-6;
  std::uint64_t last = 0;

  // Joules since the previous read, correcting one wrap.
  double step() {
    const auto now = read_raw();
    if (now < last && last > range) {
      throw std::runtime_error(fmt::format("{}: the counter went back from {} to {}", label, last, now));
    }
    const auto counts = now >= last ? now - last : range - last + now;
    last = now;
    return static_cast<double>(counts) * joules_per_count;
  }
};

namespace {

using Clock = std::chrono::steady_clock;

// The first line of a small sysfs file, trimmed; throws std::runtime_error naming the file
// when it cannot be read (energy_uj is readable by root only since Linux 5.10).
std::string read_text(const fs::path& file) {
  errno = 0;
  std::ifstream in(file);
  std::string text;
  if (!std::getline(in, text)) {
    throw std::runtime_error(fmt::format("cannot read {}: {}", file.string(), errno ? std::strerror(errno) : "empty"));
  }
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  return text;
}

std::uint64_t read_number(const fs::path& file) {
  const auto text = read_text(file);
  std::size_t used = 0;
  try {
    const auto v = std::stoull(text, &used, 0);
    if (used == text.size() && text[0] != '-') return v;
  } catch (const std::logic_error&) {
    // reported below
  }
  throw std::runtime_error(fmt::format("{}: not a counter value: '{}'", file.string(), text));
}

// "0,28", "0-3,8" -> the CPUs.
std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream in(text);
  for (std::string range; std::getline(in, range, ',');) {
    const auto dash = range.find('-');
    const int first = std::stoi(range.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
    for (int c = first; c <= last; ++c) cpus.push_back(c);
  }
  return cpus;
}

// The top-level zones of powercap in order: intel-rapl:0, intel-rapl:1, ... (not their
// intel-rapl:N:M subzones, not intel-rapl-mmio:N).
std::vector<fs::path> rapl_zones(const fs::path& root) {
  static const std::regex zone_name("intel-rapl:([0-9]+)");
  std::vector<std::pair<int, fs::path>> numbered;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::smatch m;
    const auto name = entry.path().filename().string();
    if (std::regex_match(name, m, zone_name)) numbered.emplace_back(std::stoi(m[1]), entry.path());
  }
  if (ec) throw std::runtime_error(fmt::format("{}: {}", root.string(), ec.message()));
  std::sort(numbered.begin(), numbered.end());
  std::vector<fs::path> zones;
  for (auto& [n, path] : numbered) zones.push_back(std::move(path));
  return zones;
}

// Every package zone's counter, each read once; `source` says which zones are summed.
std::vector<EnergyCounter> powercap_counters(const fs::path& root, std::string& source) {
  std::vector<EnergyCounter> counters;
  std::vector<std::string> summed, skipped;
  for (const auto& dir : rapl_zones(root)) {
    const auto name = read_text(dir / "name");
    const auto zone = fmt::format("{} ({})", dir.filename().string(), name);
    if (name.rfind("package", 0) != 0) {
      skipped.push_back(zone);
      continue;
    }
    const auto file = dir / "energy_uj";
    EnergyCounter c{zone, [file] { return read_number(file); }, read_number(dir / "max_energy_range_uj")};
    c.last = c.read_raw();
    summed.push_back(zone);
    counters.push_back(std::move(c));
  }
  if (counters.empty()) {
    throw std::runtime_error(skipped.empty() ? fmt::format("{} has no intel-rapl:N zone", root.string())
                                             : fmt::format("{} has no package zone, only {}", root.string(),
                                                           fmt::join(skipped, ", ")));
  }
  source = fmt::format("powercap {}", fmt::join(summed, " + "));
  if (!skipped.empty()) source += fmt::format("; not {} (not a package)", fmt::join(skipped, ", "));
  return counters;
}

EnergyCounter open_energy_pkg(perf_event_attr attr, int cpu, double joules_per_count) {
  const long fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("perf_event_open(power/energy-pkg/, cpu {}): {}", cpu, std::strerror(errno)));
  // Closed with the last copy of the counter reading it.
  auto owned = std::make_shared<base::UniqueFd>(static_cast<int>(fd));
  EnergyCounter c{fmt::format("cpu {}", cpu),
                  [owned] {
                    std::uint64_t v = 0;
                    if (read(owned->get(), &v, sizeof v) != static_cast<ssize_t>(sizeof v)) {
                      throw std::runtime_error(std::string("reading power/energy-pkg/: ") + std::strerror(errno));
                    }
                    return v;
                  },
                  0, joules_per_count};
  c.last = c.read_raw();
  return c;
}

// The perf power PMU's energy-pkg, counted on each CPU of its cpumask (one per package).
std::vector<EnergyCounter> perf_counters(const fs::path& pmu, std::string& source) {
  if (!fs::exists(pmu)) throw std::runtime_error(pmu.string() + " is missing (no RAPL perf PMU)");
  const auto events = pmu / "events";
  const auto encoding = read_text(events / "energy-pkg");
  static const std::regex event_re("event=(0x[0-9a-fA-F]+|[0-9]+)");
  std::smatch m;
  if (!std::regex_match(encoding, m, event_re)) {
    throw std::runtime_error(fmt::format("{}: unexpected encoding '{}'", (events / "energy-pkg").string(), encoding));
  }
  if (const auto unit = read_text(events / "energy-pkg.unit"); unit != "Joules") {
    throw std::runtime_error(fmt::format("{}: '{}', not Joules", (events / "energy-pkg.unit").string(), unit));
  }
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = static_cast<std::uint32_t>(read_number(pmu / "type"));
  attr.config = std::stoull(m[1], nullptr, 0);
  const double scale = std::stod(read_text(events / "energy-pkg.scale"));
  std::vector<EnergyCounter> counters;
  std::vector<std::string> cpus;
  for (int cpu : parse_cpu_list(read_text(pmu / "cpumask"))) {
    counters.push_back(open_energy_pkg(attr, cpu, scale));
    cpus.push_back(counters.back().label);
  }
  source = fmt::format("perf power/energy-pkg/ on {}", fmt::join(cpus, " + "));
  return counters;
}

}  // namespace

struct EnergyCollector::Trial {
  Clock::time_point t0;
  double joules = 0;
  std::string error;  // the first failed read
  std::optional<Periodic> wrap_check;
};

EnergyCollector::EnergyCollector(const EnergyPaths& paths, std::chrono::milliseconds wrap_check)
    : wrap_check_(wrap_check) {
  std::string no_powercap;
  try {
    counters_ = powercap_counters(paths.powercap, source_);
    return;
  } catch (const std::exception& e) {
    no_powercap = e.what();
  }
  try {
    counters_ = perf_counters(paths.power_pmu, source_);
  } catch (const std::exception& e) {
    throw CollectorUnavailable(fmt::format("no RAPL energy counters: powercap: {}; perf: {}", no_powercap, e.what()));
  }
}

EnergyCollector::~EnergyCollector() = default;

std::string EnergyCollector::source() const { return source_; }

void EnergyCollector::advance() {
  if (!trial_->error.empty()) return;
  try {
    for (auto& c : counters_) trial_->joules += c.step();
  } catch (const std::runtime_error& e) {
    trial_->error = e.what();
  }
}

void EnergyCollector::start(const Target&) {
  results_ = {};
  trial_ = std::make_unique<Trial>();
  try {
    for (auto& c : counters_) c.last = c.read_raw();
  } catch (const std::runtime_error& e) {
    trial_->error = e.what();
  }
  trial_->t0 = Clock::now();
  trial_->wrap_check.emplace(wrap_check_, [this] { advance(); });
}

void EnergyCollector::stop() {
  if (!trial_) return;
  trial_->wrap_check.reset();  // joined: this thread alone reads the counters now
  advance();
  const double seconds = std::chrono::duration<double>(Clock::now() - trial_->t0).count();
  Collected out;
  if (!trial_->error.empty()) {
    for (const char* name : {"energy_j", "power_w.avg"}) out.unavailable.push_back({name, "reading RAPL failed: " + trial_->error});
  } else {
    const auto source = "energy: " + source_;
    out.metrics.push_back({"energy_j", trial_->joules, "J", Direction::lower_is_better, source});
    out.metrics.push_back({"power_w.avg", trial_->joules / seconds, "W", Direction::lower_is_better, source});
  }
  trial_.reset();
  results_ = std::move(out);
}

void add_energy_per_op(std::vector<Metric>& metrics, std::vector<Unavailable>& unavailable, const std::string& rate_metric) {
  const auto find = [&](const std::string& name) -> const Metric* {
    const auto it = std::find_if(metrics.begin(), metrics.end(), [&](const Metric& m) { return m.name == name; });
    return it == metrics.end() ? nullptr : &*it;
  };
  const auto needs = [&](const std::string& name) {
    const auto it = std::find_if(unavailable.begin(), unavailable.end(), [&](const Unavailable& u) { return u.name == name; });
    return it == unavailable.end() ? fmt::format("needs {}", name) : fmt::format("needs {}: {}", name, it->reason);
  };
  const auto* power = find("power_w.avg");
  const auto* rate = rate_metric.empty() ? nullptr : find(rate_metric);
  std::string why;
  if (rate_metric.empty()) why = "the workload declares no operation rate";
  else if (!power) why = needs("power_w.avg");
  else if (!rate) why = needs(rate_metric);
  else if (rate->value <= 0) why = fmt::format("{} was zero", rate_metric);
  if (!why.empty()) {
    unavailable.push_back({"energy_per_op", why});
    return;
  }
  const Metric per_op{"energy_per_op", power->value / rate->value, "J/op", Direction::lower_is_better,
                      fmt::format("power_w.avg / {} ({})", rate_metric, rate->unit)};
  metrics.push_back(per_op);  // after reading power and rate: push_back may move them
}

}  // namespace scxlab::metrics
