// The gate's operating characteristics, simulated through the code the gate runs: analyse()
// with the gate's options, gate_verdict() and the adaptive rule (another interleaved round
// while more_repetitions_wanted(), up to 20, a regression beyond doubt ending it early), on a suite shaped like the ci suite (7 gated
// metrics over 3 workloads) with independent normal noise (the worst case for Holm: real
// metrics of one workload move together). The quick tests assert the bars on fewer gates, the
// [slow] one on 1000 gates each; a hidden test prints the whole table.
#include <cstdio>
#include <string>
#include <vector>

#include "catch.hpp"
#include "simulate.hpp"
#include "stats/verdict.hpp"

using namespace scxlab::stats;
using scxlab::Direction;
using scxlab::stats::test::standard_normal;

namespace {

struct GatedMetric {
  const char* workload;
  const char* metric;
  Direction direction;
};

// The ci suite's gated (headline) metrics.
const GatedMetric kSuite[] = {
    {"messaging", "time_s", Direction::lower_is_better},
    {"request", "wakeup_latency_us.p99", Direction::lower_is_better},
    {"request", "request_latency_us.p99", Direction::lower_is_better},
    {"request", "rps.avg", Direction::higher_is_better},
    {"frames", "frame_time_ms.p99", Direction::lower_is_better},
    {"frames", "fps.avg", Direction::higher_is_better},
    {"frames", "fps.low_1pct_time_weighted", Direction::higher_is_better},
};
constexpr std::size_t kFamily = std::size(kSuite);
constexpr int kMaxReps = 20;

struct Scenario {
  double cv = 0.03;
  double shift = 0;          // the candidate's first metric (messaging time_s) this much worse
  double threshold = 0.03;
};

struct GateRun {
  Outcome outcome = Outcome::pass;
  bool shifted_called = false;     // the shifted metric's verdict is "regression"
  bool other_regression = false;   // a metric without a shift called a regression
  int repetitions = 0;
};

void add_round(Rng& rng, const Scenario& s, std::vector<Observation>& obs) {
  for (const char* side : {"baseline", "candidate"}) {
    for (std::size_t i = 0; i < kFamily; ++i) {
      const auto& m = kSuite[i];
      const bool shifted = i == 0 && std::string(side) == "candidate";
      // Worse: up for lower-is-better; the first metric is lower-is-better.
      const double centre = 100 * (shifted ? 1 + s.shift : 1.0);
      obs.push_back({m.workload, side, m.metric, "u", m.direction, true, centre * (1 + s.cv * standard_normal(rng)), ""});
    }
  }
}

GateRun simulate_gate(std::uint64_t seed, const Scenario& s) {
  Rng rng(seed);
  std::vector<Observation> obs;
  GateRun run;
  run.repetitions = gate_start_repetitions(5, kFamily);
  for (int r = 0; r < run.repetitions; ++r) add_round(rng, s, obs);
  const auto options = gate_analysis_options("baseline", s.threshold, seed);
  for (;;) {
    const auto verdict = gate_verdict(analyse(obs, options), {"candidate"}, {});
    if (!more_repetitions_wanted(verdict, s.threshold, run.repetitions) || run.repetitions >= kMaxReps) {
      run.outcome = verdict.outcome;
      for (const auto& v : verdict.verdicts) {
        if (v.verdict != Verdict::regression) continue;
        (v.metric == kSuite[0].metric ? run.shifted_called : run.other_regression) = true;
      }
      return run;
    }
    add_round(rng, s, obs);
    ++run.repetitions;
  }
}

struct Rates {
  int gates = 0, regression = 0, inconclusive = 0, pass = 0, detected = 0, detected_within_10 = 0, false_other = 0;
  double mean_reps = 0;
  int reps_at_most_10 = 0;
};

Rates simulate(const Scenario& s, int gates, std::uint64_t first_seed) {
  Rates r;
  r.gates = gates;
  for (int g = 0; g < gates; ++g) {
    const auto run = simulate_gate(first_seed + static_cast<std::uint64_t>(g), s);
    r.regression += run.outcome == Outcome::regression;
    r.inconclusive += run.outcome == Outcome::inconclusive;
    r.pass += run.outcome == Outcome::pass;
    r.detected += run.shifted_called;
    r.detected_within_10 += run.shifted_called && run.repetitions <= 10;
    r.false_other += run.other_regression;
    r.mean_reps += run.repetitions;
    r.reps_at_most_10 += run.repetitions <= 10;
  }
  r.mean_reps /= gates;
  return r;
}

std::string describe(const Scenario& s, const Rates& r) {
  char line[400];
  std::snprintf(line, sizeof line,
                "CV %2.0f%% shift %+3.0f%%: %d gates: regression %5.1f%% (shifted metric %5.1f%%, within 10 reps "
                "%5.1f%%; another metric %4.1f%%), inconclusive %5.1f%%, pass %5.1f%%; repetitions mean %.1f, <= 10 in "
                "%5.1f%%",
                100 * s.cv, 100 * s.shift, r.gates, 100.0 * r.regression / r.gates, 100.0 * r.detected / r.gates,
                100.0 * r.detected_within_10 / r.gates, 100.0 * r.false_other / r.gates,
                100.0 * r.inconclusive / r.gates, 100.0 * r.pass / r.gates, r.mean_reps,
                100.0 * r.reps_at_most_10 / r.gates);
  return line;
}

}  // namespace

TEST_CASE("A/A gates at CV 3% almost never call a regression", "[gate-simulation]") {
  const Scenario s{0.03, 0, 0.03};
  const auto r = simulate(s, 200, 1);
  INFO(describe(s, r));
  CHECK(r.regression <= 2);  // the bar: at most 1%
}

// The bar: 95% within 10 repetitions. Before the early stop for a regression beyond doubt the
// gate went on for the other metrics' sake and answered within 10 in 89% of 1000 gates.
TEST_CASE("a 10% regression at CV 3% is called, mostly within 10 repetitions", "[gate-simulation]") {
  const Scenario s{0.03, 0.10, 0.03};
  const auto r = simulate(s, 100, 50000);
  INFO(describe(s, r));
  CHECK(r.detected >= 95);
  CHECK(r.detected_within_10 >= 90);
}

TEST_CASE("detectable_change agrees with the simulated gate", "[gate-simulation]") {
  CHECK_FALSE(detectable_change(0.03, 5, 0.03, kFamily).has_value());  // 5 a side cannot reach p < 0.05 / 7
  const auto at_10 = detectable_change(0.03, 10, 0.03, kFamily);
  REQUIRE(at_10.has_value());
  CHECK(*at_10 > 0.03);
  CHECK(*detectable_change(0.03, 20, 0.03, kFamily) < *at_10);
  CHECK(*detectable_change(0.10, 10, 0.03, kFamily) > *at_10);
}

TEST_CASE("over 1000 gates each: A/A false alarms at most 1%, a 10% regression at CV 3% found within 10 "
          "repetitions in 95%", "[gate-simulation][slow]") {
  const Scenario aa{0.03, 0, 0.03}, shifted{0.03, 0.10, 0.03};
  const auto r_aa = simulate(aa, 1000, 1);
  const auto r_shifted = simulate(shifted, 1000, 100000);
  WARN(describe(aa, r_aa) << "\n" << describe(shifted, r_shifted));  // the figures, every run
  CHECK(r_aa.regression <= 10);
  CHECK(r_shifted.detected_within_10 >= 950);
}

// The table behind the numbers in stats/verdict.hpp and the README: CV 3% and 10%, shifts of
// 0, 5% and 10%, 1000 gates each. Hidden (minutes: the noisy gates run to 20 repetitions):
//   build/tests/test_stats "[.gate-table]" -s
TEST_CASE("gate operating characteristics (prints the table)", "[.gate-table]") {
  std::string table;
  std::uint64_t seed = 1;
  for (const double cv : {0.03, 0.10}) {
    for (const double shift : {0.0, 0.05, 0.10}) {
      const Scenario s{cv, shift, 0.03};
      const auto r = simulate(s, 1000, seed);
      seed += 1000;
      table += describe(s, r) + "\n";
      if (shift == 0) CHECK(r.regression <= 10);  // A/A: at most 1% over 1000 gates
    }
  }
  WARN(table);
}

// A/A gates on a noisy runner (CV 10%): they run to 20 repetitions, so the adaptive rule looks
// at the data up to 15 times. Hidden (minutes): build/tests/test_stats "[.gate-noisy]" -s
TEST_CASE("A/A gates at CV 10% (prints the rate)", "[.gate-noisy]") {
  const Scenario s{0.10, 0, 0.03};
  const auto r = simulate(s, 1000, 3001);
  WARN(describe(s, r));
  CHECK(r.regression <= 10);
}
