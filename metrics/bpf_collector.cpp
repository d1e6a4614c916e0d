#include "metrics/bpf_collector.hpp"

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include "base/unique_fd.hpp"
#include "bpf/embedded.hpp"
#include "bpf/probes/sched_probes.h"
#include "stats/histogram.hpp"

SCXLAB_EMBEDDED_BPF(scxlab_sched_probes_btf)
SCXLAB_EMBEDDED_BPF(scxlab_sched_probes_raw)

namespace scxlab::metrics {
namespace {

// libbpf's last warning explains a failed load; it is kept for the error, and printed only
// when asked for (show_libbpf_log).
thread_local std::string g_libbpf_last;
std::atomic<bool> g_libbpf_shown{false};
int keep_libbpf_message(enum libbpf_print_level level, const char* format, va_list args) {
  if (g_libbpf_shown) {
    va_list copy;
    va_copy(copy, args);
    std::vfprintf(stderr, format, copy);
    va_end(copy);
  }
  if (level == LIBBPF_DEBUG) return 0;
  char buf[512];
  vsnprintf(buf, sizeof buf, format, args);
  g_libbpf_last = buf;
  while (!g_libbpf_last.empty() && g_libbpf_last.back() == '\n') g_libbpf_last.pop_back();
  return 0;
}

int possible_cpus() { return libbpf_num_possible_cpus(); }

// Opens one build of the probes, loads it and attaches every program. Returns no object and
// the reason on failure.
BpfProbes load_probes(const scxlab::bpf::Embedded& embedded, std::string& why) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "scxlab_probes");
  BpfProbes probes;
  probes.object.reset(bpf_object__open_mem(embedded.data, embedded.size, &opts));
  bpf_object* obj = probes.object.get();
  if (!obj) {
    why = fmt::format("cannot open the probe object: {}", std::strerror(errno));
    return {};
  }
  bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "llc_of_cpu"), static_cast<std::uint32_t>(possible_cpus()));
  g_libbpf_last.clear();
  if (bpf_object__load(obj) != 0) {
    why = fmt::format("loading failed: {}", g_libbpf_last.empty() ? std::strerror(errno) : g_libbpf_last);
    return {};
  }
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    probes.links.emplace_back(bpf_program__attach(prog));
    if (!probes.links.back()) {
      why = fmt::format("attaching {} failed: {}", bpf_program__section_name(prog), std::strerror(errno));
      return {};
    }
  }
  return probes;
}

int map_fd(bpf_object* obj, const char* name) { return bpf_map__fd(bpf_object__find_map_by_name(obj, name)); }

void clear_hash(int fd) {
  std::uint32_t key;
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) bpf_map_delete_elem(fd, &key);
}

// A per-CPU map's value as the kernel hands it over: each CPU's copy padded to 8 bytes.
std::size_t percpu_stride(std::size_t value_size) { return (value_size + 7) / 8 * 8; }

void zero_percpu_array(int fd, std::uint32_t entries, std::size_t value_size) {
  const std::vector<unsigned char> zeros(percpu_stride(value_size) * static_cast<std::size_t>(possible_cpus()), 0);
  for (std::uint32_t k = 0; k < entries; ++k) bpf_map_update_elem(fd, &k, zeros.data(), BPF_ANY);
}

// One element of a per-CPU array of u64 slots, summed over CPUs.
std::vector<std::uint64_t> sum_over_cpus(int fd, std::uint32_t key, std::size_t slots) {
  const auto cpus = static_cast<std::size_t>(possible_cpus());
  std::vector<std::uint64_t> raw(slots * cpus), total(slots, 0);
  if (bpf_map_lookup_elem(fd, &key, raw.data()) != 0) {
    throw std::runtime_error(fmt::format("reading a probe map failed: {}", std::strerror(errno)));
  }
  for (std::size_t c = 0; c < cpus; ++c) {
    for (std::size_t s = 0; s < slots; ++s) total[s] += raw[c * slots + s];
  }
  return total;
}

stats::LogLinearHistogram read_hist(int fd, std::uint32_t id) {
  stats::LogLinearHistogram h;
  h.add_bucket_counts(sum_over_cpus(fd, id, SCXLAB_HIST_BUCKETS));
  return h;
}

Metric bpf_metric(std::string name, double value, std::string unit, Direction direction = Direction::informational) {
  return {std::move(name), value, std::move(unit), direction, "bpf"};
}

// base.p50/p90/p99/p99.9/max/mean (us) and base.count of a histogram of nanoseconds.
void add_latency_metrics(Collected& out, const std::string& base, const stats::LogLinearHistogram& h, Direction d) {
  if (h.empty()) {
    out.unavailable.push_back({base + ".*", "no such event for the workload's tasks in this trial"});
    return;
  }
  const auto us = [](double ns) { return ns / 1000.0; };
  for (const auto& [suffix, p] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p99.9", 99.9}}) {
    out.metrics.push_back(bpf_metric(base + "." + suffix, us(h.percentile(p)), "us", d));
  }
  out.metrics.push_back(bpf_metric(base + ".max", us(static_cast<double>(h.max())), "us", d));
  out.metrics.push_back(bpf_metric(base + ".mean", us(h.mean()), "us", d));
  out.metrics.push_back(bpf_metric(base + ".count", static_cast<double>(h.count()), "count"));
}

// What the probes cost during the trial, when the kernel measured it.
void add_probe_cost(Collected& out, BpfCollector::RunTime before, BpfCollector::RunTime after) {
  const auto runs = after.runs - before.runs;
  if (runs == 0) {
    out.unavailable.push_back({"probes.cpu_ms", "the kernel keeps no BPF run-time statistics (sysctl kernel.bpf_stats_enabled=1 turns them on)"});
    return;
  }
  const auto ns = static_cast<double>(after.ns - before.ns);
  out.metrics.push_back(bpf_metric("probes.cpu_ms", ns / 1e6, "ms"));
  out.metrics.push_back(bpf_metric("probes.ns_per_event", ns / static_cast<double>(runs), "ns"));
}

// The workload's schedstat over the trial: exited tasks from the exit hook, live ones from
// /proc, minus what the root had accumulated before start().
void add_schedstat_metrics(Collected& out, const Schedstat& total) {
  const std::string source = "proc schedstat (live tasks) + bpf sched_process_exit (exited tasks)";
  const auto metric = [&](const char* name, double value, const char* unit, Direction d) {
    out.metrics.push_back({name, value, unit, d, source});
  };
  metric("schedstat.run_ms", static_cast<double>(total.run_ns) / 1e6, "ms", Direction::informational);
  metric("schedstat.wait_ms", static_cast<double>(total.wait_ns) / 1e6, "ms", Direction::lower_is_better);
  metric("schedstat.timeslices", static_cast<double>(total.timeslices), "count", Direction::informational);
  if (total.timeslices > 0) {
    metric("schedstat.mean_wait_us", static_cast<double>(total.wait_ns) / static_cast<double>(total.timeslices) / 1e3,
           "us", Direction::lower_is_better);
  }
}

// The highest data or unified cache level of one CPU, as the lowest CPU that shares it.
std::optional<std::uint32_t> llc_of_cpu(const std::filesystem::path& cache_dir) {
  int best_level = -1;
  std::optional<std::uint32_t> id;
  std::error_code ec;
  for (const auto& index : std::filesystem::directory_iterator(cache_dir, ec)) {
    int level = 0;
    std::string type;
    std::uint32_t first_cpu = 0;
    std::ifstream(index.path() / "level") >> level;
    std::ifstream(index.path() / "type") >> type;
    if (!(std::ifstream(index.path() / "shared_cpu_list") >> first_cpu) || type == "Instruction") continue;
    if (level > best_level) {
      best_level = level;
      id = first_cpu;
    }
  }
  return id;
}

}  // namespace

std::vector<std::uint32_t> llc_of_cpus(const std::string& cpu_dir, unsigned cpus) {
  std::vector<std::uint32_t> ids(cpus);
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    const auto id = llc_of_cpu(fmt::format("{}/cpu{}/cache", cpu_dir, cpu));
    if (!id && std::filesystem::exists(fmt::format("{}/cpu{}", cpu_dir, cpu))) return {};
    ids[cpu] = id.value_or(cpu);  // a possible but absent CPU: its own cache
  }
  return ids;
}

void show_libbpf_log(bool on) { g_libbpf_shown = on; }

BpfCollector::BpfCollector(BpfAttach attach) {
  libbpf_set_print(keep_libbpf_message);
  std::string why_btf = "not tried", why_raw;
  if (attach == BpfAttach::automatic) {
    build_ = Build::tp_btf;
    probes_ = load_probes(scxlab_sched_probes_btf_object(), why_btf);
  }
  if (!probes_.object) {
    build_ = Build::raw_tp;
    probes_ = load_probes(scxlab_sched_probes_raw_object(), why_raw);
  }
  bpf_object* obj = probes_.object.get();
  if (!obj) throw CollectorUnavailable(fmt::format("tp_btf: {}; raw_tp: {}", why_btf, why_raw));
  maps_ = {map_fd(obj, "trial"), map_fd(obj, "tgids"), map_fd(obj, "task_infos"),
           map_fd(obj, "hists"), map_fd(obj, "counters"), map_fd(obj, "llc_of_cpu")};
  const auto llc = llc_of_cpus("/sys/devices/system/cpu", static_cast<unsigned>(possible_cpus()));
  llc_known_ = !llc.empty();
  for (std::uint32_t cpu = 0; cpu < llc.size(); ++cpu) bpf_map_update_elem(maps_.llc_of_cpu, &cpu, &llc[cpu], BPF_ANY);
}

void BpfProbes::CloseObject::operator()(bpf_object* object) const { bpf_object__close(object); }
void BpfProbes::DestroyLink::operator()(bpf_link* link) const { bpf_link__destroy(link); }

BpfCollector::RunTime BpfCollector::run_time() const {
  RunTime total;
  bpf_program* prog;
  bpf_object__for_each_program(prog, probes_.object.get()) {
    bpf_prog_info info{};
    std::uint32_t len = sizeof info;
    if (bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0) {
      total.ns += info.run_time_ns;
      total.runs += info.run_cnt;
    }
  }
  return total;
}

void BpfCollector::set_trial(std::uint32_t n) {
  const std::uint32_t zero = 0;
  if (bpf_map_update_elem(maps_.trial, &zero, &n, BPF_ANY) != 0) {
    throw std::runtime_error(fmt::format("cannot switch the probes to trial {}: {}", n, std::strerror(errno)));
  }
}

void BpfCollector::clear_maps() {
  clear_hash(maps_.tgids);
  if (build_ == Build::raw_tp) clear_hash(maps_.task_infos);  // task local storage goes with its task
  zero_percpu_array(maps_.hists, NR_HISTS, sizeof(scxlab_hist));
  zero_percpu_array(maps_.counters, NR_COUNTERS, sizeof(std::uint64_t));
}

// Marks the root as traced in trial `n`: task local storage is keyed by a pidfd, the raw_tp
// build's hash by pid.
void BpfCollector::trace_root(std::uint32_t n) {
  const scxlab_task_info info{0, 0, 0, n};
  int rc;
  if (build_ == Build::tp_btf) {
    const base::UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, root_, 0)));
    if (!pidfd) throw std::runtime_error(fmt::format("pidfd_open({}): {}", root_, std::strerror(errno)));
    const int key = pidfd.get();
    rc = bpf_map_update_elem(maps_.task_infos, &key, &info, BPF_ANY);
  } else {
    const auto pid = static_cast<std::uint32_t>(root_);
    rc = bpf_map_update_elem(maps_.task_infos, &pid, &info, BPF_ANY);
  }
  const auto tgid = static_cast<std::uint32_t>(root_);
  const std::uint8_t one = 1;
  if (rc != 0 || bpf_map_update_elem(maps_.tgids, &tgid, &one, BPF_ANY) != 0) {
    throw std::runtime_error(fmt::format("cannot add pid {} to the probes' filter: {}", root_, std::strerror(errno)));
  }
}

std::vector<std::uint32_t> BpfCollector::traced_tgids() const {
  std::vector<std::uint32_t> keys;
  std::uint32_t key, next;
  for (int rc = bpf_map_get_next_key(maps_.tgids, nullptr, &next); rc == 0;
       rc = bpf_map_get_next_key(maps_.tgids, &key, &next)) {
    keys.push_back(next);
    key = next;
  }
  return keys;
}

void BpfCollector::start(const Target& target) {
  results_ = {};
  set_trial(0);
  clear_maps();
  root_ = target.root_pid;
  root_before_ = read_process_schedstat(root_);
  trial_ = trial_ % 0xffffffffu + 1;  // never 0, which means "between trials"
  trace_root(trial_);
  run_time_at_start_ = run_time();
  set_trial(trial_);
}

void BpfCollector::stop() {
  set_trial(0);  // freeze: nothing more is counted for this trial
  const auto tgids = traced_tgids();

  std::vector<std::uint64_t> counts(NR_COUNTERS);
  for (std::uint32_t k = 0; k < NR_COUNTERS; ++k) counts[k] = sum_over_cpus(maps_.counters, k, 1)[0];
  const auto after_wakeup = read_hist(maps_.hists, HIST_RUNQ_AFTER_WAKEUP);
  const auto after_preempt = read_hist(maps_.hists, HIST_RUNQ_AFTER_PREEMPT);
  const auto oncpu = read_hist(maps_.hists, HIST_ONCPU);
  auto runq_wait = after_wakeup;
  runq_wait.merge(after_preempt);

  Collected out;
  add_latency_metrics(out, "runq_wait_us", runq_wait, Direction::lower_is_better);
  add_latency_metrics(out, "runq_wait_after_wakeup_us", after_wakeup, Direction::lower_is_better);
  add_latency_metrics(out, "runq_wait_after_preempt_us", after_preempt, Direction::lower_is_better);
  add_latency_metrics(out, "oncpu_us", oncpu, Direction::informational);
  const auto counter = [&](const char* name, std::uint32_t id) {
    out.metrics.push_back(bpf_metric(name, static_cast<double>(counts[id]), "count"));
  };
  counter("switches.voluntary", CNT_SWITCH_VOLUNTARY);
  counter("switches.involuntary", CNT_SWITCH_INVOLUNTARY);
  counter("wakeups", CNT_WAKEUPS);
  counter("migrations", CNT_MIGRATIONS);
  if (llc_known_) counter("migrations.cross_llc", CNT_MIGRATIONS_CROSS_LLC);
  else out.unavailable.push_back({"migrations.cross_llc", "no cache topology in /sys/devices/system/cpu/cpu*/cache"});
  counter("probes.lost_events", CNT_LOST);
  add_probe_cost(out, run_time_at_start_, run_time());
  out.histograms.push_back({"runq_wait", "ns", runq_wait});
  out.histograms.push_back({"runq_wait_after_wakeup", "ns", after_wakeup});
  out.histograms.push_back({"runq_wait_after_preempt", "ns", after_preempt});
  out.histograms.push_back({"oncpu", "ns", oncpu});

  // Exit counters first, then /proc: a task that exits in between is missed, never doubled.
  Schedstat total{counts[CNT_EXIT_RUNTIME_NS], counts[CNT_EXIT_RUN_DELAY_NS], counts[CNT_EXIT_PCOUNT]};
  for (const auto tgid : tgids) total += read_process_schedstat(static_cast<pid_t>(tgid));
  add_schedstat_metrics(out, total - root_before_);
  results_ = std::move(out);
}

}  // namespace scxlab::metrics
