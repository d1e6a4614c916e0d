#include "fixture.hpp"

#include <cmath>

#include <unistd.h>

#include "stats/inference.hpp"

namespace scxlab::test {
namespace fs = std::filesystem;
namespace {

struct Profile {
  const char* scheduler;
  double time_s, runq_us, fps, frame_p99_ms, wakeup_us;
  double noise;  // relative sd
};

constexpr Profile kProfiles[] = {
    {"eevdf", 2.0, 45, 60, 20, 20, 0.02},
    {"scx_lavd:gaming", 1.8, 40, 62, 17, 15, 0.02},
    {"scx_rusty", 2.0, 47, 59.5, 21, 25, 0.05},
};

class Noise {
 public:
  explicit Noise(std::uint64_t seed) : rng_(seed) {}
  double normal() {  // Box-Muller
    const double u1 = std::max(rng_.uniform(), 1e-12), u2 = rng_.uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  double around(double centre, double relative_sd) { return centre * (1 + relative_sd * normal()); }

 private:
  stats::Rng rng_;
};

stats::LogLinearHistogram wakeups(double median_us, Noise& noise) {
  stats::LogLinearHistogram h;
  for (int i = 0; i < 2000; ++i) h.record(static_cast<std::uint64_t>(median_us * std::exp(0.6 * noise.normal())));
  return h;
}

store::TrialRecord trial(std::int64_t run_id, int seq, int round, const std::string& workload, const Profile& p,
                         Noise& noise) {
  store::TrialRecord t;
  t.run_id = run_id;
  t.seq = seq;
  t.round = round;
  t.kind = round == 0 ? store::TrialKind::warmup : store::TrialKind::measure;
  t.scheduler = p.scheduler;
  t.scheduler_config = {{"label", p.scheduler}};
  t.workload = workload;
  t.workload_params = workload == "messaging" ? nlohmann::json{{"groups", 4}, {"loops", 100}}
                                              : nlohmann::json{{"fps", 60}};
  t.status = store::TrialStatus::ok;
  t.started_utc = "2026-11-24T10:00:00Z";
  t.ended_utc = "2026-11-24T10:00:03Z";
  t.wall_s = 3;
  t.overhead_s = 0.2;
  if (workload == "messaging") {
    const double time_s = noise.around(p.time_s, p.noise);
    t.metrics = {{"time_s", time_s, "s", Direction::lower_is_better, "workload"},
                 {"messages_per_s", 160000 / time_s, "msg/s", Direction::higher_is_better, "workload"},
                 {"runq_wait_us.p99", noise.around(p.runq_us, p.noise), "us", Direction::lower_is_better, "bpf"},
                 {"ctx_switches", std::round(noise.around(250000, 0.1)), "count", Direction::informational, "proc"}};
    t.histograms = {{"wakeup_latency", "us", wakeups(p.wakeup_us, noise)}};
  } else {
    t.metrics = {{"fps.avg", noise.around(p.fps, p.noise / 2), "fps", Direction::higher_is_better, "workload"},
                 {"frame_time_ms.p99", noise.around(p.frame_p99_ms, p.noise), "ms", Direction::lower_is_better,
                  "workload"}};
  }
  t.unavailable = {{"cycles", "not supported by this host's PMU"}};
  if (std::string(p.scheduler) == "eevdf") t.unavailable.push_back({"scx_stats", "eevdf serves no scx_stats"});
  return t;
}

// What goes wrong in a real run, at fixed places.
void spoil(store::TrialRecord& t) {
  if (t.scheduler == "scx_rusty" && t.workload == "messaging" && t.round == 3) {
    t.status = store::TrialStatus::ejected;
    t.reason = "the scheduler stopped serving <state disabled> & \"exit 1\"";
    t.metrics.clear();
    t.histograms.clear();
  }
  if (t.scheduler == "eevdf" && t.workload == "frames" && t.round == 5) {
    t.status = store::TrialStatus::failed;
    t.reason = "workload exited with status 1";
    t.stderr_tail = "frames: cannot allocate </script> buffer\n";
    t.metrics.clear();
  }
}

}  // namespace

TempDir::TempDir(const std::string& name)
    : path(fs::temp_directory_path() / ("scxlab-reports-" + name + "-" + std::to_string(getpid()))) {
  fs::remove_all(path);
  fs::create_directories(path);
}

TempDir::~TempDir() { fs::remove_all(path); }

ReportFixture::ReportFixture(const std::string& name) : dir(name), db((dir.path / "results.db").string()) {
  store::RunInfo run;
  run.kind = "shootout";
  run.created_utc = "2026-11-24T10:00:00Z";
  run.scxlab_version = "0.1.0";
  run.host = {{"hostname", "testhost"}, {"kernel", "6.18.0"}, {"cpu_model", "Test CPU @ 3.0GHz"},
              {"topology", {{"cpus", 2}, {"cores", 2}}}, {"virtualized", false}};
  run.plan = {{"baseline", "eevdf"}, {"reps", kFixtureRepetitions}};
  run.seed = 42;
  run.status = "complete";
  run_id = db.create_run(run);

  Noise noise(7);
  int seq = 0;
  for (int round = 0; round <= kFixtureRepetitions; ++round) {
    for (const char* workload : {"messaging", "frames"}) {
      for (const auto& p : kProfiles) {
        auto t = trial(run_id, seq++, round, workload, p, noise);
        spoil(t);
        if (round == 2 && t.scheduler == "scx_lavd:gaming" && t.workload == "frames") {
          auto cut = t;  // interrupted, then run again on resume under the same seq
          cut.status = store::TrialStatus::interrupted;
          cut.reason = "interrupted by SIGINT";
          cut.metrics.clear();
          db.add_trial(cut);
        }
        db.add_trial(t);
      }
    }
  }

  headlines = {{"messaging", {"time_s", "messages_per_s"}}, {"frames", {"fps.avg", "frame_time_ms.p99"}}};
  stats::AnalysisOptions options;
  options.baseline = "eevdf";
  options.seed = run.seed;
  input.run = *db.run(run_id);
  input.trials = db.trials(run_id);
  input.analysis = stats::analyse(reports::observations_from_trials(input.trials, headlines), options);
  input.notes = {"time budget 10m: all 8 repetitions fit"};
  input.options = options;
}

}  // namespace scxlab::test
