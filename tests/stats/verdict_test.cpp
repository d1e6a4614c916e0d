// Gate verdicts on constructed analyses: every verdict, the outcome each leads to, when more
// repetitions are wanted, and the trials that did not end ok.
#include <cmath>

#include "catch.hpp"
#include "stats/verdict.hpp"

using namespace scxlab::stats;
using scxlab::Direction;

namespace {

MetricResult metric(const std::string& name, bool headline, std::optional<Call> call, double ratio = 1.0) {
  MetricResult m{name, "s", Direction::lower_is_better, headline, {}, {}};
  m.summary.n = 10;
  m.summary.median = 100 * ratio;
  if (call) {
    Comparison c;
    c.call = *call;
    c.ratio = ratio;
    c.ratio_ci_low = ratio - 0.02;
    c.ratio_ci_high = ratio + 0.02;
    c.p_adjusted = *call == Call::worse || *call == Call::better ? 0.001 : 0.4;
    c.reason = "because";
    m.vs_baseline = c;
  }
  return m;
}

// One workload "w": the baseline "base" and the candidate "cand" with the given metrics.
RunAnalysis analysis_with(std::vector<MetricResult> candidate_metrics) {
  RunAnalysis a;
  a.baseline = "base";
  WorkloadAnalysis w;
  w.workload = "w";
  SchedulerResult base{"base", {}, 1, 1};
  for (auto m : candidate_metrics) {
    m.vs_baseline.reset();
    m.summary.median = 100;
    base.metrics.push_back(m);
  }
  w.schedulers.push_back(base);
  w.schedulers.push_back({"cand", std::move(candidate_metrics), 2, 1});
  a.workloads.push_back(w);
  return a;
}

}  // namespace

TEST_CASE("each call of a gated metric becomes its verdict, and the outcome follows the worst", "[verdict]") {
  struct Case {
    Call call;
    Verdict verdict;
    Outcome outcome;
    bool more;
  };
  const Case cases[] = {{Call::worse, Verdict::regression, Outcome::regression, false},
                        {Call::better, Verdict::improvement, Outcome::pass, false},
                        // it measured +10%, beyond the 3% threshold: more rounds may show it
                        {Call::no_difference, Verdict::no_change, Outcome::pass, true},
                        {Call::inconclusive, Verdict::inconclusive, Outcome::inconclusive, true}};
  for (const auto& c : cases) {
    INFO(to_string(c.call));
    const auto v = gate_verdict(analysis_with({metric("time_s", true, c.call, 1.1)}), {"cand"}, {});
    REQUIRE(v.verdicts.size() == 1);
    CHECK(v.verdicts[0].verdict == c.verdict);
    CHECK(v.verdicts[0].workload == "w");
    CHECK(v.verdicts[0].scheduler == "cand");
    CHECK(v.verdicts[0].change == Approx(0.1));
    CHECK(v.verdicts[0].change_low == Approx(0.08));
    CHECK(v.verdicts[0].change_high == Approx(0.12));
    CHECK(v.verdicts[0].baseline_median == 100);
    CHECK(v.verdicts[0].candidate_median == Approx(110));
    CHECK(v.verdicts[0].reason == "because");
    CHECK(v.outcome == c.outcome);
    CHECK(more_repetitions_wanted(v, 0.03, 5) == c.more);
  }
}

TEST_CASE("a regression anywhere fails the gate, over inconclusive and improvement elsewhere", "[verdict]") {
  const auto v = gate_verdict(analysis_with({metric("a", true, Call::better, 0.9), metric("b", true, Call::inconclusive),
                                             metric("c", true, Call::worse, 1.2)}),
                              {"cand"}, {});
  CHECK(v.outcome == Outcome::regression);
  CHECK(more_repetitions_wanted(v, 0.03, 5));  // the inconclusive one could still tell
  const auto pass = gate_verdict(
      analysis_with({metric("a", true, Call::better, 0.9), metric("b", true, Call::no_difference)}), {"cand"}, {});
  CHECK(pass.outcome == Outcome::pass);
  CHECK_FALSE(more_repetitions_wanted(pass, 0.03, 5));
  // "No significant change" that measured a regression beyond the threshold: not yet.
  const auto maybe_worse = gate_verdict(analysis_with({metric("b", true, Call::no_difference, 1.04)}), {"cand"}, {});
  CHECK(maybe_worse.outcome == Outcome::pass);
  CHECK(more_repetitions_wanted(maybe_worse, 0.03, 5));
  CHECK_FALSE(more_repetitions_wanted(maybe_worse, 0.05, 5));
}

TEST_CASE("a regression beyond doubt within 10 repetitions ends the gate, a doubtful or a late one does not",
          "[verdict]") {
  auto analysis = analysis_with({metric("a", true, Call::worse, 1.2), metric("b", true, Call::inconclusive)});
  auto& worse = *analysis.workloads[0].schedulers[1].metrics[0].vs_baseline;
  worse.p_adjusted = 0.0001;
  const auto sure = gate_verdict(analysis, {"cand"}, {});
  REQUIRE(sure.outcome == Outcome::regression);
  CHECK_FALSE(more_repetitions_wanted(sure, 0.03, 8));
  CHECK(more_repetitions_wanted(sure, 0.03, 11));  // past 10 the usual rule: b could still tell
  worse.p_adjusted = 0.01;
  CHECK(more_repetitions_wanted(gate_verdict(analysis, {"cand"}, {}), 0.03, 8));
}

TEST_CASE("only headline directional metrics are gated", "[verdict]") {
  auto info = metric("requests", true, std::nullopt);
  info.direction = Direction::informational;
  const auto v = gate_verdict(analysis_with({metric("time_s", true, Call::no_difference),
                                             metric("runq_wait_us.p99", false, Call::worse, 1.5), info}),
                              {"cand"}, {});
  REQUIRE(v.verdicts.size() == 1);
  CHECK(v.verdicts[0].metric == "time_s");
  CHECK(v.outcome == Outcome::pass);
}

TEST_CASE("a gated metric the candidate lacks is inconclusive, and more rounds would not help", "[verdict]") {
  auto a = analysis_with({metric("time_s", true, Call::no_difference)});
  a.workloads[0].schedulers[0].metrics.push_back(metric("fps.avg", true, std::nullopt));
  const auto v = gate_verdict(a, {"cand"}, {});
  REQUIRE(v.verdicts.size() == 2);
  CHECK(v.verdicts[1].metric == "fps.avg");
  CHECK(v.verdicts[1].verdict == Verdict::inconclusive);
  CHECK_THAT(v.verdicts[1].reason, Catch::Contains("cand has no values"));
  CHECK(std::isnan(v.verdicts[1].change));
  CHECK(v.outcome == Outcome::inconclusive);
  CHECK_FALSE(more_repetitions_wanted(v, 0.03, 5));
}

TEST_CASE("candidate trials that did not end ok: a regression when the baseline's all did", "[verdict]") {
  const auto a = analysis_with({metric("time_s", true, Call::no_difference)});
  const TrialOutcomes lost{"w", "cand", 8, 2, "runnable task stall"};
  const auto v = gate_verdict(a, {"cand"}, {lost, {"w", "base", 10, 0, ""}});
  REQUIRE(v.verdicts.size() == 2);
  CHECK(v.verdicts[1].metric == kCompletedTrials);
  CHECK(v.verdicts[1].verdict == Verdict::regression);
  CHECK_THAT(v.verdicts[1].reason, Catch::Contains("2 of 10 trials of cand") && Catch::Contains("runnable task stall"));
  CHECK(v.outcome == Outcome::regression);

  const auto both = gate_verdict(a, {"cand"}, {lost, {"w", "base", 9, 1, "timed out"}});
  CHECK(both.verdicts[1].verdict == Verdict::inconclusive);
  CHECK(both.outcome == Outcome::inconclusive);

  // Every candidate trial failed: nothing to analyse for it, still a regression.
  RunAnalysis only_base = a;
  only_base.workloads[0].schedulers.pop_back();
  const auto dead = gate_verdict(only_base, {"cand"}, {{"w", "cand", 0, 10, "did not start"}});
  CHECK(dead.outcome == Outcome::regression);
  CHECK(dead.verdicts[0].verdict == Verdict::inconclusive);  // time_s: not compared
  CHECK(dead.verdicts[1].verdict == Verdict::regression);
}

TEST_CASE("no verdict at all is no pass", "[verdict]") {
  RunAnalysis empty;
  empty.baseline = "base";
  CHECK(gate_verdict(empty, {"cand"}, {}).outcome == Outcome::inconclusive);
}

TEST_CASE("verdict and outcome words", "[verdict]") {
  CHECK(to_string(Verdict::regression) == "regression");
  CHECK(to_string(Verdict::improvement) == "improvement");
  CHECK(to_string(Verdict::no_change) == "no significant change");
  CHECK(to_string(Verdict::inconclusive) == "inconclusive");
  CHECK(to_string(Outcome::pass) == "pass");
  CHECK(to_string(Outcome::regression) == "regression");
  CHECK(to_string(Outcome::inconclusive) == "inconclusive");
}
