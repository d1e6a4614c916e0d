#include <algorithm>

#include "catch.hpp"
#include "fixture.hpp"
#include "reports/model.hpp"

using namespace scxlab;
using namespace scxlab::reports;

namespace {

store::TrialRecord make(int seq, const std::string& kind, const std::string& status, const std::string& scheduler) {
  store::TrialRecord t;
  t.seq = seq;
  t.kind = store::trial_kind_from(kind);
  t.status = store::trial_status_from(status);
  t.scheduler = scheduler;
  t.workload = "w";
  t.metrics = {{"time_s", 1.0 + seq, "s", Direction::lower_is_better, "workload"},
               {"ctx", 10.0 * seq, "count", Direction::informational, "proc"}};
  return t;
}

}  // namespace

TEST_CASE("observations come only from ok measure/validate trials, with units, directions and headlines",
          "[reports][model]") {
  const std::vector<store::TrialRecord> trials = {
      make(0, "warmup", "ok", "a"),   make(1, "measure", "ok", "a"),   make(2, "measure", "ejected", "b"),
      make(3, "validate", "ok", "b"), make(4, "tune", "ok", "a"),      make(5, "measure", "failed", "a"),
      make(6, "measure", "timed_out", "b"), make(7, "measure", "interrupted", "a")};
  const auto obs = observations_from_trials(trials, {{"w", {"time_s"}}});
  REQUIRE(obs.size() == 4);  // seqs 1 and 3, two metrics each
  CHECK(obs[0].scheduler == "a");
  CHECK(obs[0].metric == "time_s");
  CHECK(obs[0].value == 2.0);
  CHECK(obs[0].unit == "s");
  CHECK(obs[0].direction == Direction::lower_is_better);
  CHECK(obs[0].headline);
  CHECK_FALSE(obs[1].headline);
  CHECK(obs[1].direction == Direction::informational);
  CHECK(obs[2].scheduler == "b");
  CHECK(obs[2].value == 4.0);
  CHECK(observations_from_trials(trials, {})[0].headline == false);  // no headline map: none
}

TEST_CASE("tallies say how trials ended, and an interrupted trial run again is not counted twice", "[reports][model]") {
  auto cut = make(3, "measure", "interrupted", "a");
  cut.reason = "SIGINT";
  auto ejected = make(4, "measure", "ejected", "b");
  ejected.reason = "scx_b stopped serving";
  const std::vector<store::TrialRecord> trials = {make(0, "warmup", "ok", "a"), make(1, "measure", "ok", "a"), cut,
                                                  make(3, "measure", "ok", "a"), ejected, make(5, "measure", "ok", "b")};
  const auto tallies = tally_trials(trials);
  REQUIRE(tallies.size() == 2);
  CHECK(tallies[0].scheduler == "a");
  CHECK(tallies[0].total == 3);
  CHECK(tallies[0].counted == 2);
  CHECK(tallies[0].left_out.empty());
  CHECK(tallies[1].total == 2);
  CHECK(tallies[1].left_out.at("ejected") == 1);
  CHECK(tallies[1].last_reason.at("ejected") == "scx_b stopped serving");

  ReportInput in;
  in.trials = trials;
  in.analysis.warnings = {"w / a: time_s varies a lot between repetitions (CV 9.0%)"};
  in.run.host = {{"virtualized", true}};
  const auto w = warnings(in);
  REQUIRE(w.size() == 3);
  CHECK(w[0].find("virtual machine") != std::string::npos);
  CHECK(w[1] == "w / b: 1 of 2 trials left out of the statistics: 1 ejected (scx_b stopped serving)");
  CHECK(w[2] == in.analysis.warnings[0]);
}

TEST_CASE("unavailable metrics are grouped by workload, name and reason, with where they were missing",
          "[reports][model]") {
  test::ReportFixture f("model-unavailable");
  const auto u = unavailable_metrics(f.input.trials);
  REQUIRE(u.size() == 4);  // cycles and (for eevdf) scx_stats, on both workloads
  const auto cycles = std::find_if(u.begin(), u.end(), [](auto& e) { return e.name == "cycles" && e.workload == "messaging"; });
  REQUIRE(cycles != u.end());
  CHECK(cycles->reason == "not supported by this host's PMU");
  CHECK(cycles->schedulers == std::vector<std::string>{"eevdf", "scx_lavd:gaming", "scx_rusty"});
  const auto stats_entry = std::find_if(u.begin(), u.end(), [](auto& e) { return e.name == "scx_stats"; });
  REQUIRE(stats_entry != u.end());
  CHECK(stats_entry->schedulers == std::vector<std::string>{"eevdf"});
}

TEST_CASE("the fixture's analysis sees the planted effects and problems", "[reports][model]") {
  test::ReportFixture f("model-fixture");
  const auto& a = f.input.analysis;
  REQUIRE(a.workloads.size() == 2);
  CHECK(a.baseline == "eevdf");
  const auto& messaging = a.workloads[0];
  CHECK(column_metrics(messaging) == std::vector<std::string>{"time_s", "messages_per_s"});
  const auto ranked = by_rank(messaging);
  CHECK(ranked.front()->scheduler == "scx_lavd:gaming");
  const auto* time = find_metric(*ranked.front(), "time_s");
  REQUIRE(time);
  REQUIRE(time->vs_baseline);
  CHECK(time->vs_baseline->call == stats::Call::better);
  const auto w = warnings(f.input);
  CHECK(std::any_of(w.begin(), w.end(), [](auto& s) { return s.find("1 ejected") != std::string::npos; }));
  CHECK(std::any_of(w.begin(), w.end(), [](auto& s) { return s.find("1 failed") != std::string::npos; }));
  CHECK(std::none_of(w.begin(), w.end(), [](auto& s) { return s.find("interrupted") != std::string::npos; }));
}

TEST_CASE("the analysis as JSON carries every number and call", "[reports][model]") {
  test::ReportFixture f("model-json");
  const auto j = analysis_to_json(f.input.analysis);
  const auto& a = f.input.analysis;
  CHECK(j["baseline"] == "eevdf");
  REQUIRE(j["workloads"].size() == a.workloads.size());
  const auto& s = a.workloads[0].schedulers[1];
  const auto& js = j["workloads"][0]["schedulers"][1];
  CHECK(js["scheduler"] == s.scheduler);
  CHECK(js["rank"] == s.rank);
  CHECK(js["metrics"][0]["summary"]["median"].get<double>() == s.metrics[0].summary.median);
  CHECK(js["metrics"][0]["vs_baseline"]["p_adjusted"].get<double>() == s.metrics[0].vs_baseline->p_adjusted);
  CHECK(js["metrics"][0]["vs_baseline"]["call"] == stats::to_string(s.metrics[0].vs_baseline->call));
  CHECK(j["overall_ranking"].size() == a.overall_ranking.size());
}

TEST_CASE("a scheduler with no counted trial on a workload is a warning of its own", "[reports][model]") {
  auto failed = make(0, "measure", "failed", "b");
  failed.reason = "exit 2";
  ReportInput in;
  in.trials = {make(1, "measure", "ok", "a"), failed, make(2, "warmup", "ok", "b")};
  const auto w = warnings(in);
  REQUIRE(w.size() == 2);
  CHECK(w[0] == "w / b: no trial counted in the statistics (2 trials)");
  CHECK(w[1] == "w / b: 1 of 2 trials left out of the statistics: 1 failed (exit 2)");
}

TEST_CASE("a left-out trial's warning keeps the first line of its reason, not the scheduler's output",
          "[reports][model]") {
  auto ejected = make(0, "measure", "ejected", "b");
  ejected.reason = "runnable task stall\n  scheduler stderr (last lines):\n    SCX_EV_BYPASS_DURATION: 50317648";
  ReportInput in;
  in.trials = {make(1, "measure", "ok", "b"), ejected};
  const auto w = warnings(in);
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "w / b: 1 of 2 trials left out of the statistics: 1 ejected (runnable task stall (its output: see the "
                "trials))");
}

TEST_CASE("a tune's search evaluations, never counted by design, raise no warning", "[reports][model]") {
  ReportInput in;
  in.trials = {make(0, "tune", "ok", "eval-1"), make(1, "tune", "ok", "eval-2"), make(2, "validate", "ok", "tuned")};
  CHECK(warnings(in).empty());
}
