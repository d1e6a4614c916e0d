#include "metrics/perf_collector.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <perfmon/pfmlib_perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace scxlab::metrics {
namespace {

void init_pfm() {
  static std::once_flag once;
  static int rc = PFM_SUCCESS;
  std::call_once(once, [] { rc = pfm_initialize(); });
  if (rc != PFM_SUCCESS) throw std::invalid_argument(std::string("libpfm4 failed to initialise: ") + pfm_strerror(rc));
}

PerfEvent software(const char* metric, const char* event, std::uint64_t config, const char* unit, double scale = 1) {
  PerfEvent e{metric, event, {}, unit, scale};
  e.attr.type = PERF_TYPE_SOFTWARE;
  e.attr.config = config;
  return e;
}

PerfEvent named(const std::string& metric, const std::string& event) {
  return {metric, event, encode_event(event), "count"};
}

// Always: the software events (the kernel counts them itself), then the generic hardware
// events that explain scheduler effects on caches and pipelines.
std::vector<PerfEvent> software_events() {
  return {software("ctx_switches", "context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES, "count"),
          software("cpu_migrations", "cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS, "count"),
          software("task_clock_ms", "task-clock", PERF_COUNT_SW_TASK_CLOCK, "ms", 1e-6),
          software("page_faults", "page-faults", PERF_COUNT_SW_PAGE_FAULTS, "count")};
}
constexpr const char* kHardwareEvents[] = {"cycles", "instructions", "cache-misses", "branch-misses"};

const Metric* find(const std::vector<Metric>& metrics, const std::string& name) {
  const auto it = std::find_if(metrics.begin(), metrics.end(), [&](const Metric& m) { return m.name == name; });
  return it == metrics.end() ? nullptr : &*it;
}

// Why a derived metric is missing: the first of its inputs that is.
std::string missing_input(const Collected& out, std::initializer_list<const char*> inputs) {
  for (const char* in : inputs) {
    if (find(out.metrics, in)) continue;
    for (const auto& u : out.unavailable) {
      if (u.name == in) return fmt::format("needs {}: {}", in, u.reason);
    }
    return fmt::format("needs {}", in);
  }
  return "";
}

void add_ratio(Collected& out, const std::string& name, const char* num, const char* den, double factor,
               const std::string& unit, Direction d) {
  const auto* n = find(out.metrics, num);
  const auto* q = find(out.metrics, den);
  if (n && q && q->value > 0) {
    out.metrics.push_back({name, factor * n->value / q->value, unit, d, "perf"});
  } else {
    const auto why = missing_input(out, {num, den});
    out.unavailable.push_back({name, why.empty() ? fmt::format("{} was zero", den) : why});
  }
}

void add_derived(Collected& out) {
  add_ratio(out, "ipc", "instructions", "cycles", 1, "instr/cycle", Direction::higher_is_better);
  add_ratio(out, "cache_misses_pki", "cache_misses", "instructions", 1000, "per 1k instr", Direction::lower_is_better);
  add_ratio(out, "branch_misses_pki", "branch_misses", "instructions", 1000, "per 1k instr", Direction::lower_is_better);
}

// Reads one counter; the value scaled to the time it was enabled, or why there is none.
std::optional<double> read_scaled(int fd, std::string& why, double& counted_fraction) {
  std::uint64_t v[3] = {};  // value, time_enabled, time_running
  if (read(fd, v, sizeof v) != static_cast<ssize_t>(sizeof v)) {
    why = std::string("reading the counter failed: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (v[2] == 0) {
    why = v[1] == 0 ? "the workload never ran while the counter was open"
                    : "never scheduled onto the PMU (too many events multiplexed)";
    return std::nullopt;
  }
  counted_fraction = static_cast<double>(v[2]) / static_cast<double>(v[1]);
  return static_cast<double>(v[0]) / counted_fraction;
}

}  // namespace

perf_event_attr encode_event(const std::string& name) {
  init_pfm();
  perf_event_attr attr{};
  pfm_perf_encode_arg_t arg{};
  arg.attr = &attr;
  arg.size = sizeof arg;
  const int rc = pfm_get_os_event_encoding(name.c_str(), PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
  if (rc != PFM_SUCCESS) {
    throw std::invalid_argument(fmt::format(
        "perf event '{}': {} (libpfm4 names: cycles, instructions, cache-misses, or a PMU's native event; "
        "list them with libpfm4's showevtinfo)",
        name, pfm_strerror(rc)));
  }
  return attr;
}

std::string perf_metric_name(const std::string& event) {
  std::string out;
  for (std::size_t i = 0; i < event.size(); ++i) {
    const auto c = static_cast<unsigned char>(event[i]);
    if (event.compare(i, 2, "::") == 0) {
      out += '.';
      ++i;
    } else {
      out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
    }
  }
  return out;
}

int open_counter(perf_event_attr attr, pid_t pid) {
  attr.size = sizeof attr;
  attr.inherit = 1;
  attr.disabled = 0;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  const long fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

std::string open_error(int neg_errno) {
  switch (-neg_errno) {
    case ENOENT:
    case EOPNOTSUPP:
      return "not supported by this host's PMU (VMs often expose no hardware counters)";
    case EACCES:
    case EPERM:
      return "not permitted (run as root, or grant CAP_PERFMON / lower kernel.perf_event_paranoid)";
    case ESRCH:
      return "the workload exited before its counters could be opened";
    default:
      return std::string("perf_event_open failed: ") + std::strerror(-neg_errno);
  }
}

PerfCollector::PerfCollector(const std::vector<std::string>& extra_events) {
  std::vector<PerfEvent> wanted = software_events();
  std::vector<std::string> names(std::begin(kHardwareEvents), std::end(kHardwareEvents));
  names.insert(names.end(), extra_events.begin(), extra_events.end());
  for (const auto& event : names) {
    const auto metric = perf_metric_name(event);
    if (std::any_of(wanted.begin(), wanted.end(), [&](const PerfEvent& e) { return e.metric == metric; })) continue;
    try {
      wanted.push_back(named(metric, event));
    } catch (const std::invalid_argument& e) {
      unusable_.push_back({metric, e.what()});
    }
  }
  for (auto& e : wanted) {
    const int fd = open_counter(e.attr, 0);
    if (fd < 0) {
      unusable_.push_back({e.metric, fmt::format("{}: {}", e.event, open_error(fd))});
      continue;
    }
    close(fd);
    events_.push_back(std::move(e));
  }
}

PerfCollector::~PerfCollector() { close_all(); }

void PerfCollector::close_all() {
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
  fds_.clear();
}

void PerfCollector::start(const Target& target) {
  results_ = {};
  close_all();
  for (const auto& e : events_) fds_.push_back(open_counter(e.attr, target.root_pid));
}

void PerfCollector::stop() {
  Collected out;
  out.unavailable = unusable_;
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    const auto& e = events_[i];
    std::string why = fds_[i] < 0 ? open_error(fds_[i]) : "";
    double counted = 1;
    const auto value = fds_[i] < 0 ? std::nullopt : read_scaled(fds_[i], why, counted);
    if (!value) {
      out.unavailable.push_back({e.metric, fmt::format("{}: {}", e.event, why)});
      continue;
    }
    const auto source = counted < 1 ? fmt::format("perf (multiplexed: counted {:.0f}% of the time, scaled)", 100 * counted)
                                    : std::string("perf");
    out.metrics.push_back({e.metric, *value * e.scale, e.unit, e.direction, source});
  }
  close_all();
  add_derived(out);
  results_ = std::move(out);
}

}  // namespace scxlab::metrics
