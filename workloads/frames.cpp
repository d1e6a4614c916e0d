// `frames`: a game-like frame loop, what latency-aware schedulers (scx_lavd, scx_bpfland) are
// built for. Each frame is a chain of dependent tasks across threads:
//
//   input -> sim -> fork-join over `job_workers` (job_tasks tasks) -> render -> present
//
// paced by a frame limiter at `target_fps` (0 = unlimited): a frame starts at its scheduled
// time, or at once when the previous one ran late (the schedule then re-anchors: no burst to
// catch up). The frame time is the time between consecutive presents (what CapFrameX and
// MangoHud measure); a frame meets its deadline when presented within `deadline_ms` of its
// scheduled start. An audio thread beside it wakes every `audio_period_us` and must finish
// its work within the period.
//
// Work is calibrated CPU work (work_unit.hpp), so a frame costs the same on every run. Each
// role's scheduling attributes are parameters (task_attrs.hpp); one the kernel refuses fails
// the run before any frame.
#include <algorithm>
#include <cstdio>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <pthread.h>

#include "workloads/builtins.hpp"
#include "workloads/frame_metrics.hpp"
#include "workloads/params.hpp"
#include "workloads/sync.hpp"
#include "workloads/task_attrs.hpp"
#include "workloads/work_unit.hpp"

namespace scxlab::workloads {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr double kUnlimitedDeadlineMs = 1000.0 / 60;
const std::vector<std::string> kRoles{"input", "sim", "jobs", "render", "present", "audio"};

struct FramesConfig {
  long target_fps, duration_s, warmup_s, job_workers, job_tasks, audio_period_us;
  double deadline_ms, input_us, sim_us, job_us, render_us, present_us, audio_us;
  std::vector<TaskAttrs> attrs;  // in kRoles order

  const TaskAttrs& attrs_of(const std::string& role) const {
    return *std::find_if(attrs.begin(), attrs.end(), [&](const TaskAttrs& a) { return a.role == role; });
  }
  std::int64_t period_ns() const { return target_fps > 0 ? kNsPerS / target_fps : 0; }
};

struct FrameRecord {
  std::int64_t scheduled, presented;
};

// Everything the threads share. Events carry the happens-before between chain stages, so the
// plain fields written by one stage and read by the next need no atomics.
struct Shared {
  explicit Shared(FramesConfig config)
      : c(std::move(config)), setup_done(static_cast<std::ptrdiff_t>(5 + c.job_workers)), job_go(c.job_workers) {
    for (auto& e : job_go) e = std::make_unique<Event>();
  }
  FramesConfig c;
  std::int64_t start = 0, measure_start = 0, end = 0;  // written before `go` is released
  std::latch setup_done;
  std::latch go{1};
  std::atomic<bool> quit{false};
  std::mutex error_mutex;
  std::string setup_error;

  Event to_sim, to_render, to_present, frame_done, jobs_done;
  std::vector<std::unique_ptr<Event>> job_go;
  std::atomic<long> next_job{0}, jobs_left{0};
  std::int64_t current_scheduled = 0;  // input -> present, through the chain
  std::vector<FrameRecord> frames;     // present only

  stats::LogLinearHistogram audio_wakeup_ns;  // audio only
  std::uint64_t audio_periods = 0, audio_misses = 0;
};

// Every thread starts here: its name (for traces and per-thread tools), its role's attributes,
// then all wait for the common start.
bool setup(Shared& s, const std::string& role) {
  pthread_setname_np(pthread_self(), ("frames-" + role).substr(0, 15).c_str());
  if (auto error = apply_to_this_thread(s.c.attrs_of(role)); !error.empty()) {
    const std::lock_guard lock(s.error_mutex);
    if (s.setup_error.empty()) s.setup_error = error;
  }
  s.setup_done.count_down();
  s.go.wait();
  return !s.quit.load();
}

void input_thread(Shared& s) {
  if (!setup(s, "input")) return;
  const std::int64_t period = s.c.period_ns();
  std::int64_t scheduled = s.start;
  for (;;) {
    if (period > 0) sleep_until_ns(scheduled);
    if (now_ns() >= s.end) break;
    work_us(s.c.input_us);
    s.current_scheduled = scheduled;
    s.to_sim.signal();
    s.frame_done.wait();
    // The limiter: the next frame at its slot, or now if this one overran (re-anchored).
    scheduled = std::max(scheduled + period, now_ns());
  }
  s.quit = true;
  s.to_sim.signal();
}

void run_jobs(Shared& s) {
  if (s.c.job_tasks == 0 || s.c.job_workers == 0) return;
  s.jobs_left.store(s.c.job_tasks);
  s.next_job.store(0, std::memory_order_release);
  for (auto& go : s.job_go) go->signal();
  s.jobs_done.wait();
}

void sim_thread(Shared& s) {
  if (!setup(s, "sim")) return;
  for (;;) {
    s.to_sim.wait();
    if (s.quit.load()) break;
    work_us(s.c.sim_us);
    run_jobs(s);
    s.to_render.signal();
  }
  for (auto& go : s.job_go) go->signal();
  s.to_render.signal();
}

void job_thread(Shared& s, std::size_t index) {
  if (!setup(s, "jobs")) return;
  for (;;) {
    s.job_go[index]->wait();
    if (s.quit.load()) return;
    while (s.next_job.fetch_add(1, std::memory_order_acq_rel) < s.c.job_tasks) {
      work_us(s.c.job_us);
      if (s.jobs_left.fetch_sub(1, std::memory_order_acq_rel) == 1) s.jobs_done.signal();
    }
  }
}

void render_thread(Shared& s) {
  if (!setup(s, "render")) return;
  for (;;) {
    s.to_render.wait();
    if (s.quit.load()) break;
    work_us(s.c.render_us);
    s.to_present.signal();
  }
  s.to_present.signal();
}

void present_thread(Shared& s) {
  if (!setup(s, "present")) return;
  for (;;) {
    s.to_present.wait();
    if (s.quit.load()) return;
    work_us(s.c.present_us);
    s.frames.push_back({s.current_scheduled, now_ns()});
    s.frame_done.signal();
  }
}

void audio_thread(Shared& s) {
  if (!setup(s, "audio")) return;
  const std::int64_t period = s.c.audio_period_us * 1000;
  for (std::int64_t next = s.start; next < s.end; next += period) {
    sleep_until_ns(next);
    const std::int64_t woke = now_ns();
    work_us(s.c.audio_us);
    const std::int64_t done = now_ns();
    const bool measured = next >= s.measure_start;
    if (measured) {
      s.audio_wakeup_ns.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, woke - next)));
      ++s.audio_periods;
      if (done > next + period) ++s.audio_misses;
    }
    // Whole periods that passed while this one overran are missed too.
    for (; next + 2 * period <= done; next += period) {
      if (measured) {
        ++s.audio_periods;
        ++s.audio_misses;
      }
    }
  }
}

FramesConfig read_config(const Params& p) {
  const ParamReader r(p);
  FramesConfig c{r.integer("target_fps"), r.integer("duration_s"), r.integer("warmup_s"), r.integer("job_workers"),
           r.integer("job_tasks"), r.integer("audio_period_us"), r.real("deadline_ms"), r.real("input_work_us"),
           r.real("sim_work_us"), r.real("job_work_us"), r.real("render_work_us"), r.real("present_work_us"),
           r.real("audio_work_us"), {}};
  if (c.job_workers == 0) c.job_workers = static_cast<long>(std::max(1U, std::thread::hardware_concurrency()));
  if (c.deadline_ms == 0) c.deadline_ms = c.target_fps > 0 ? 1000.0 / static_cast<double>(c.target_fps) : kUnlimitedDeadlineMs;
  const auto rt_priority = static_cast<int>(r.integer("rt_priority"));
  for (const auto& role : kRoles) c.attrs.push_back(read_task_attrs(p, role, rt_priority));
  return c;
}

std::vector<std::thread> start_threads(Shared& s) {
  std::vector<std::thread> t;
  t.emplace_back(input_thread, std::ref(s));
  t.emplace_back(sim_thread, std::ref(s));
  t.emplace_back(render_thread, std::ref(s));
  t.emplace_back(present_thread, std::ref(s));
  t.emplace_back(audio_thread, std::ref(s));
  for (std::size_t i = 0; i < static_cast<std::size_t>(s.c.job_workers); ++i) t.emplace_back(job_thread, std::ref(s), i);
  return t;
}

double percentile_ms(const stats::LogLinearHistogram& h_us, double p) { return h_us.percentile(p) / 1000.0; }

Measurements summarise(const Shared& s) {
  std::vector<FrameRecord> measured;
  std::copy_if(s.frames.begin(), s.frames.end(), std::back_inserter(measured),
               [&](const FrameRecord& f) { return f.presented >= s.measure_start; });
  if (measured.size() < 2) {
    throw WorkloadFailure(fmt::format("only {} frame(s) presented in the measured time (raise duration_s)", measured.size()));
  }
  std::vector<double> ft_ms;
  stats::LogLinearHistogram ft_us, latency_us;
  std::size_t met = 0;
  const auto deadline_ns = static_cast<std::int64_t>(s.c.deadline_ms * kNsPerMs);
  for (std::size_t i = 0; i < measured.size(); ++i) {
    const auto& f = measured[i];
    if (f.presented - f.scheduled <= deadline_ns) ++met;
    latency_us.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, f.presented - f.scheduled) / 1000));
    if (i == 0) continue;
    const std::int64_t ft = f.presented - measured[i - 1].presented;
    ft_ms.push_back(static_cast<double>(ft) / kNsPerMs);
    ft_us.record(static_cast<std::uint64_t>(ft / 1000));
  }
  Measurements out;
  out.metrics = frame_time_metrics(ft_ms);
  const auto add = [&](std::string name, double v, std::string unit, Direction d) {
    out.metrics.push_back(workload_metric(std::move(name), v, std::move(unit), d));
  };
  add("deadline_met_pct", 100.0 * static_cast<double>(met) / static_cast<double>(measured.size()), "%", Direction::higher_is_better);
  add("frame_latency_ms.p50", percentile_ms(latency_us, 50), "ms", Direction::lower_is_better);
  add("frame_latency_ms.p99", percentile_ms(latency_us, 99), "ms", Direction::lower_is_better);
  add("audio.deadline_misses", static_cast<double>(s.audio_misses), "count", Direction::lower_is_better);
  add("audio.periods", static_cast<double>(s.audio_periods), "count", Direction::informational);
  add("audio.wakeup_latency_us.p99", s.audio_wakeup_ns.percentile(99) / 1000.0, "us", Direction::lower_is_better);
  add("audio.wakeup_latency_us.max", static_cast<double>(s.audio_wakeup_ns.max()) / 1000.0, "us", Direction::lower_is_better);
  add("work_unit.loops_per_us", work_calibration().loops_per_us, "loops/us", Direction::informational);
  out.histograms.push_back({"frame_time", "us", ft_us});
  out.histograms.push_back({"frame_latency", "us", latency_us});
  out.histograms.push_back({"audio_wakeup_latency", "ns", s.audio_wakeup_ns});
  return out;
}

Measurements run_frames(const Params& p) {
  const auto& unit = work_calibration();
  std::fprintf(stderr, "frames: work unit %.2f loops/us (%s)\n", unit.loops_per_us, unit.source.c_str());
  Shared s(read_config(p));
  s.frames.reserve(static_cast<std::size_t>((s.c.duration_s + s.c.warmup_s) * std::max(s.c.target_fps, 240L)));
  auto threads = start_threads(s);
  s.setup_done.wait();
  s.quit = !s.setup_error.empty();
  s.start = now_ns() + kNsPerMs;  // a common first slot just ahead, so every thread is waiting for it
  s.measure_start = s.start + s.c.warmup_s * kNsPerS;
  s.end = s.measure_start + s.c.duration_s * kNsPerS;
  s.go.count_down();
  for (auto& t : threads) t.join();
  if (!s.setup_error.empty()) throw WorkloadFailure(s.setup_error);
  return summarise(s);
}

void prepare_frames(const Params&) {
  work_calibration();  // measured (or loaded) in the harness, inherited by the forked child
}

std::vector<MetricSpec> frames_metric_specs() {
  const auto lower = Direction::lower_is_better;
  const auto higher = Direction::higher_is_better;
  return {
      {"frame_time_ms.p50", "ms", lower, false, "median time between presents"},
      {"frame_time_ms.p99", "ms", lower, true, "p99 time between presents (nearest rank)"},
      {"frame_time_ms.p99.9", "ms", lower, false, "p99.9 time between presents"},
      {"frame_time_ms.max", "ms", lower, false, "longest time between presents"},
      {"fps.avg", "fps", higher, true, "N * 1000 / sum of frame times (time-weighted)"},
      {"fps.low_1pct_time_weighted", "fps", higher, true, "1% low as CapFrameX/Afterburner (worst frames covering 1% of the time)"},
      {"fps.low_0.1pct_time_weighted", "fps", higher, false, "0.1% low, time-weighted"},
      {"fps.low_1pct_frame_weighted", "fps", higher, false, "1000 / the 1%-worst frame time by count"},
      {"fps.low_0.1pct_frame_weighted", "fps", higher, false, "1000 / the 0.1%-worst frame time by count"},
      {"stutter_count", "count", lower, false, "frames longer than 2.5 x the average frame time"},
      {"stutter_time_pct", "%", lower, false, "share of the time spent in stutter frames"},
      {"frames", "count", Direction::informational, false, "frame times measured"},
      {"deadline_met_pct", "%", higher, false, "frames presented within deadline_ms of their scheduled start"},
      {"frame_latency_ms.p50", "ms", lower, false, "scheduled start to present, median"},
      {"frame_latency_ms.p99", "ms", lower, false, "scheduled start to present, p99"},
      {"audio.deadline_misses", "count", lower, false, "audio periods whose work finished after the period"},
      {"audio.periods", "count", Direction::informational, false, "audio periods measured"},
      {"audio.wakeup_latency_us.p99", "us", lower, false, "audio thread's timer wakeup latency, p99"},
      {"audio.wakeup_latency_us.max", "us", lower, false, "audio thread's timer wakeup latency, max"},
      {"work_unit.loops_per_us", "loops/us", Direction::informational, false, "this host's work-unit calibration"},
  };
}

std::vector<ParamSpec> frames_params() {
  std::vector<ParamSpec> p = {
      int_param("target_fps", 60, 0, 1000, "frame limiter rate (60, 144, ...), 0 = unlimited"),
      int_param("duration_s", 10, 1, 86400, "measured seconds"),
      int_param("warmup_s", 1, 0, 3600, "seconds run before measuring"),
      real_param("deadline_ms", 0, 0, 10000, "a frame's deadline after its scheduled start, 0 = one frame period (16.67 ms when unlimited)"),
      real_param("input_work_us", 100, 0, 1e6, "input stage work per frame (calibrated us)"),
      real_param("sim_work_us", 2000, 0, 1e6, "simulation stage work per frame"),
      int_param("job_workers", 0, 0, 256, "job worker threads of the fork-join, 0 = one per CPU"),
      int_param("job_tasks", 16, 0, 4096, "job tasks per frame, shared out among the job workers"),
      real_param("job_work_us", 200, 0, 1e6, "work per job task"),
      real_param("render_work_us", 2500, 0, 1e6, "render stage work per frame"),
      real_param("present_work_us", 200, 0, 1e6, "present stage work per frame"),
      int_param("audio_period_us", 5000, 500, 1000000, "audio thread period (its deadline)"),
      real_param("audio_work_us", 300, 0, 1e6, "audio work per period"),
      int_param("rt_priority", 10, 1, 99, "real-time priority of roles whose policy is fifo or rr"),
  };
  for (const auto& role : kRoles) {
    auto attrs = task_attr_params(role);
    p.insert(p.end(), attrs.begin(), attrs.end());
  }
  return p;
}

}  // namespace

Definition frames_workload() {
  WorkloadInfo info;
  info.name = "frames";
  info.summary = "game-like frame loop: input -> sim -> job fork-join -> render -> present at a target FPS, plus audio";
  info.params = frames_params();
  info.metrics = frames_metric_specs();
  info.operation_rate = "fps.avg";
  Definition d;
  d.info = std::move(info);
  d.prepare = prepare_frames;
  d.generate = run_frames;
  return d;
}

}  // namespace scxlab::workloads
