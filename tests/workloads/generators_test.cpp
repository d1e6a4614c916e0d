// The built-in generators with tiny parameters: they run, and their numbers are sane.
#include <algorithm>
#include <filesystem>
#include <map>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "catch.hpp"
#include "metrics_of.hpp"
#include "workloads/child.hpp"
#include "workloads/frame_metrics.hpp"
#include "workloads/work_unit.hpp"
#include "workloads/workload.hpp"

using namespace scxlab;
using namespace scxlab::workloads;
namespace fs = std::filesystem;

namespace {

Result run_ok(const std::string& workload, const Params& params) {
  const auto r = run(workload, params, {});
  INFO(workload << ": " << r.reason << "\n" << r.stderr_tail);
  REQUIRE(r.status == Result::Status::ok);
  return r;
}

void check_ordered(const std::map<std::string, double>& m, const std::string& prefix,
                   const std::vector<std::string>& labels) {
  for (std::size_t i = 0; i + 1 < labels.size(); ++i) {
    INFO(prefix << labels[i] << " <= " << prefix << labels[i + 1]);
    CHECK(m.at(prefix + labels[i]) <= m.at(prefix + labels[i + 1]));
  }
}

const stats::NamedHistogram& histogram(const Result& r, const std::string& name) {
  const auto it = std::find_if(r.histograms.begin(), r.histograms.end(), [&](const auto& h) { return h.name == name; });
  REQUIRE(it != r.histograms.end());
  return *it;
}

}  // namespace

TEST_CASE("request runs and reports ordered latency percentiles and RPS", "[workloads][request]") {
  const auto r = run_ok("request", {{"workers", "2"}, {"runtime_s", "1"}, {"warmup_s", "0"}, {"footprint_kb", "64"}});
  const auto m = metrics_of(r);
  CHECK(m.at("requests") > 0);
  CHECK(m.at("rps.avg") == Approx(m.at("requests")));  // one second of runtime
  check_ordered(m, "wakeup_latency_us.", {"p50", "p90", "p99", "p99.9", "max"});
  check_ordered(m, "request_latency_us.", {"p50", "p90", "p99", "p99.9", "max"});
  CHECK(m.at("request_latency_us.p50") >= 100);  // every request sleeps sleep_us = 100 first
  CHECK(histogram(r, "request_latency").hist.count() == static_cast<std::uint64_t>(m.at("requests")));
  CHECK(histogram(r, "wakeup_latency").unit == "ns");
}

TEST_CASE("request at a fixed rate, without the lock", "[workloads][request]") {
  const auto m = metrics_of(run_ok("request", {{"workers", "2"}, {"rps", "100"}, {"lock", "false"}, {"runtime_s", "1"},
                                               {"warmup_s", "0"}, {"matrix_ops", "1"}}));
  CHECK(m.at("requests") > 0);
  CHECK(m.at("rps.p10") <= m.at("rps.p90"));
}

TEST_CASE("frames runs a paced and an unlimited loop with sane metrics", "[workloads][frames]") {
  for (const auto* fps : {"60", "0"}) {
    const auto r = run_ok("frames", {{"target_fps", fps}, {"duration_s", "1"}, {"warmup_s", "0"}, {"sim_work_us", "500"},
                                     {"render_work_us", "500"}, {"job_work_us", "50"}});
    const auto m = metrics_of(r);
    INFO("target_fps=" << fps);
    CHECK(m.at("frames") > 10);
    check_ordered(m, "frame_time_ms.", {"p50", "p99", "p99.9", "max"});
    CHECK(m.at("fps.avg") > 0);
    CHECK(m.at("fps.low_1pct_time_weighted") > 0);
    CHECK(m.at("deadline_met_pct") >= 0);
    CHECK(m.at("deadline_met_pct") <= 100);
    CHECK(m.at("audio.periods") > 0);
    CHECK(m.at("work_unit.loops_per_us") > 0);
    CHECK(histogram(r, "frame_time").hist.count() == static_cast<std::uint64_t>(m.at("frames")));
    CHECK(r.stderr_tail.find("work unit") != std::string::npos);  // the calibration is on record
  }
}

TEST_CASE("frames applies per-role attributes the kernel accepts", "[workloads][frames]") {
  // Small per-frame work, as above: under a CPU hog the default work presents too few frames to measure.
  // SCHED_IDLE goes to the audio thread, which no frame waits for: beside CPU hogs an idle-class
  // thread runs a few times a second, and an idle present thread left one frame (load average 10).
  run_ok("frames", {{"duration_s", "1"}, {"warmup_s", "0"}, {"sim_work_us", "500"}, {"render_work_us", "500"},
                    {"job_work_us", "50"}, {"sim_nice", "-5"}, {"render_policy", "fifo"},
                    {"rt_priority", "5"}, {"present_policy", "rr"}, {"jobs_policy", "batch"}, {"audio_policy", "idle"},
                    {"input_slice_us", "500"}});
}

TEST_CASE("frames fails with the reason when the kernel clamps or refuses an attribute", "[workloads][frames]") {
  // Custom slices below 100 us are clamped by the kernel (or ignored before Linux 6.12).
  const auto clamped = run("frames", {{"duration_s", "1"}, {"sim_slice_us", "50"}}, {});
  CHECK(clamped.status == Result::Status::failed);
  CHECK(clamped.reason.find("sim_slice_us=50") != std::string::npos);

  const auto misplaced = run("frames", {{"duration_s", "1"}, {"jobs_policy", "fifo"}, {"jobs_slice_us", "1000"}}, {});
  CHECK(misplaced.status == Result::Status::failed);
  CHECK(misplaced.reason.find("jobs_slice_us=1000 applies to policies other and batch") != std::string::npos);

  // Unprivileged, a negative nice is refused with EPERM: run it as nobody in a child process.
  work_calibration();  // measured here, inherited by the child
  base::Pipe verdict = base::make_pipe(O_CLOEXEC);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    const auto r = run("frames", {{"duration_s", "1"}, {"sim_nice", "-10"}}, {});
    write_all(verdict.write_end.get(), r.reason);
    _exit(r.status == Result::Status::failed ? 0 : 1);
  }
  verdict.write_end.reset();
  int status = 0;
  waitpid(pid, &status, 0);
  std::string reason(4096, '\0');
  const auto n = read(verdict.read_end.get(), reason.data(), reason.size());
  reason.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  INFO(reason);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(reason.find("sim_nice=-10") != std::string::npos);
  CHECK(reason.find("Operation not permitted") != std::string::npos);
}

TEST_CASE("frame metric definitions match hand-computed values", "[workloads][frames]") {
  // 995 frames of 10 ms and 5 of 50 ms: total 10200 ms.
  std::vector<double> ft(995, 10.0);
  ft.insert(ft.end(), 5, 50.0);
  CHECK(fps_avg(ft) == Approx(1000 * 1000.0 / 10200));
  // Time-weighted: 1% of the time is 102 ms, reached on the 3rd 50 ms frame -> 1000/50.
  CHECK(fps_low_time_weighted(ft, 0.01) == Approx(20.0));
  // Frame-weighted: the 10th worst frame of 1000 is a 10 ms one -> 100 FPS.
  CHECK(fps_low_frame_weighted(ft, 0.01) == Approx(100.0));
  // 0.1%: 10.2 ms of time (the first 50 ms frame) and the worst frame by count.
  CHECK(fps_low_time_weighted(ft, 0.001) == Approx(20.0));
  CHECK(fps_low_frame_weighted(ft, 0.001) == Approx(20.0));
  // Stutter: the average is 10.2 ms, the threshold 25.5 ms: the five 50 ms frames, 250 of 10200 ms.
  const auto s = stutter(ft);
  CHECK(s.count == 5);
  CHECK(s.time_pct == Approx(100.0 * 250 / 10200));
  // Nearest rank: p99 of 1000 is the 990th smallest (10 ms), p99.9 the 999th (50 ms).
  CHECK(nearest_rank_percentile(ft, 99) == Approx(10.0));
  CHECK(nearest_rank_percentile(ft, 99.9) == Approx(50.0));
  CHECK(nearest_rank_percentile(ft, 100) == Approx(50.0));

  // Where the two definitions agree: 99 frames of 10 ms and one of 100 ms.
  std::vector<double> one_spike(99, 10.0);
  one_spike.push_back(100.0);
  CHECK(fps_low_time_weighted(one_spike, 0.01) == Approx(10.0));
  CHECK(fps_low_frame_weighted(one_spike, 0.01) == Approx(10.0));
  CHECK(fps_avg(one_spike) == Approx(100 * 1000.0 / 1090));

  // The metric list carries both definitions, labelled.
  std::map<std::string, double> m;
  for (const auto& x : frame_time_metrics(ft)) m[x.name] = x.value;
  CHECK(m.at("fps.low_1pct_time_weighted") == Approx(20.0));
  CHECK(m.at("fps.low_1pct_frame_weighted") == Approx(100.0));
  CHECK(m.at("stutter_count") == 5);
}

TEST_CASE("the work-unit calibration is cached and reused", "[workloads][frames]") {
  const auto dir = fs::temp_directory_path() / ("scxlab-calib-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const auto first = calibrate_with_cache({"/proc/no-such-dir", dir.string()});
  CHECK(first.loops_per_us > 0);
  CHECK(first.source.find("measured now, cached in " + dir.string()) == 0);
  const auto second = calibrate_with_cache({dir.string()});
  CHECK(second.loops_per_us == first.loops_per_us);
  CHECK(second.source.find("cached in") == 0);
  fs::remove_all(dir);
}

TEST_CASE("a workload's operation rate, for energy_per_op, is one of its metrics, in operations per second",
          "[workloads]") {
  int with_rate = 0;
  for (const auto& w : list_workloads()) {
    if (w.operation_rate.empty()) continue;
    INFO(w.name << " declares " << w.operation_rate);
    const auto spec = std::find_if(w.metrics.begin(), w.metrics.end(), [&](const MetricSpec& m) { return m.name == w.operation_rate; });
    REQUIRE(spec != w.metrics.end());
    CHECK(spec->direction == Direction::higher_is_better);
    CHECK((spec->unit.find("/s") != std::string::npos || spec->unit == "fps"));
    ++with_rate;
  }
  CHECK(with_rate >= 3);  // messaging, request, frames at least
}
