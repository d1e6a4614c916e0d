#include <cmath>
#include <string>
#include <vector>

#include "catch.hpp"
#include "simulate.hpp"
#include "stats/analysis.hpp"
#include "stats/inference.hpp"

using namespace scxlab;
using namespace scxlab::stats;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void add(std::vector<Observation>& obs, const std::string& workload, const std::string& scheduler,
         const std::string& metric, Direction d, bool headline, const std::vector<double>& values) {
  for (double v : values) obs.push_back({workload, scheduler, metric, "u", d, headline, v, ""});
}

// Baseline "base" and candidate "cand", one metric "m", n repetitions each.
std::vector<Observation> pair_of(const std::vector<double>& base, const std::vector<double>& cand,
                                 Direction d = Direction::lower_is_better) {
  std::vector<Observation> obs;
  add(obs, "w", "base", "m", d, true, base);
  add(obs, "w", "cand", "m", d, true, cand);
  return obs;
}

const Comparison& comparison(const RunAnalysis& a, std::size_t metric = 0) {
  return a.workloads.at(0).schedulers.at(1).metrics.at(metric).vs_baseline.value();
}

struct CallCounts {
  int better = 0, worse = 0, no_difference = 0, inconclusive = 0;
};

// `sims` simulated runs: baseline N(10, (cv 10)^2), candidate shifted by `shift`, n each.
CallCounts simulate_calls(std::uint64_t seed, int sims, double shift, double cv, std::size_t n, Direction d) {
  Rng data(seed);
  CallCounts counts;
  for (int i = 0; i < sims; ++i) {
    const auto base = test::normal_sample(data, n, 10, cv);
    const auto cand = test::normal_sample(data, n, 10 * (1 + shift), cv);
    switch (comparison(analyse(pair_of(base, cand, d), AnalysisOptions{})).call) {
      case Call::better: ++counts.better; break;
      case Call::worse: ++counts.worse; break;
      case Call::no_difference: ++counts.no_difference; break;
      case Call::inconclusive: ++counts.inconclusive; break;
    }
  }
  return counts;
}

std::string describe(const CallCounts& c) {
  return "better " + std::to_string(c.better) + ", worse " + std::to_string(c.worse) + ", no difference " +
         std::to_string(c.no_difference) + ", inconclusive " + std::to_string(c.inconclusive);
}

}  // namespace

// Measured with these seeds and default options (2000 resamples): A/A 998/1000 "no significant
// difference" (2 inconclusive); +10% lower-is-better 998/1000 "worse"; +10% higher-is-better
// 998/1000 "better".
TEST_CASE("A/A: no significant difference in >= 99% of simulated cases (CV 3%, 10 reps)", "[calls]") {
  const auto c = simulate_calls(101, 1000, 0.0, 0.03, 10, Direction::lower_is_better);
  WARN("A/A, CV 3%, 10 v 10: " << describe(c));
  CHECK(c.no_difference >= 990);
}

TEST_CASE("a 10% shift at CV 3% with 10 reps is called, in the right direction, in >= 95% of cases", "[calls]") {
  const auto slower = simulate_calls(102, 1000, 0.10, 0.03, 10, Direction::lower_is_better);
  const auto faster = simulate_calls(103, 1000, 0.10, 0.03, 10, Direction::higher_is_better);
  WARN("+10%, lower is better: " << describe(slower));
  WARN("+10%, higher is better: " << describe(faster));
  CHECK(slower.worse >= 950);
  CHECK(slower.better == 0);
  CHECK(faster.better >= 950);
  CHECK(faster.worse == 0);
}

// The figures in stats/analysis.hpp: the two required points with 10000 simulations, and how
// the calls behave away from them (2000 each). Asserts only what must hold whatever the noise:
// few false "better" calls, and more repetitions call a real 5% regression more often.
TEST_CASE("operating characteristics of the call", "[calls][slow]") {
  struct Case {
    double shift, cv;
    std::size_t n;
    int sims;
  };
  for (const auto& k : {Case{0.0, 0.03, 10, 10000}, Case{0.10, 0.03, 10, 10000}, Case{0.02, 0.03, 10, 2000},
                        Case{0.04, 0.03, 10, 2000}, Case{0.05, 0.03, 10, 2000}, Case{0.0, 0.05, 10, 2000},
                        Case{0.10, 0.05, 10, 2000}, Case{0.0, 0.10, 10, 2000}, Case{0.10, 0.10, 10, 2000},
                        Case{0.0, 0.03, 5, 2000}, Case{0.10, 0.03, 5, 2000}, Case{0.0, 0.03, 30, 2000},
                        Case{0.03, 0.03, 30, 2000}, Case{0.05, 0.03, 30, 2000}}) {
    const auto c = simulate_calls(200 + k.n, k.sims, k.shift, k.cv, k.n, Direction::lower_is_better);
    WARN("shift " << 100 * k.shift << "%, CV " << 100 * k.cv << "%, " << k.n << " v " << k.n << ", " << k.sims
                  << " sims: " << describe(c));
    CHECK(c.better <= k.sims / 100);
  }
  const auto ten = simulate_calls(300, 2000, 0.05, 0.03, 10, Direction::lower_is_better);
  const auto thirty = simulate_calls(301, 2000, 0.05, 0.03, 30, Direction::lower_is_better);
  CHECK(thirty.worse > ten.worse);
}

TEST_CASE("inconclusive, rule a: too few repetitions for the test to ever reach significance", "[calls]") {
  const auto a = analyse(pair_of({10, 10.1, 9.9}, {15, 15.1, 14.9}), AnalysisOptions{});
  const auto& c = comparison(a);
  CHECK(c.call == Call::inconclusive);
  CHECK(contains(c.reason, "run at least 4 of each"));
  CHECK(to_string(c.call) == "inconclusive: more repetitions needed");
}

TEST_CASE("inconclusive, rule b: the interval still allows a large effect", "[calls]") {
  Rng data(7);
  const auto base = test::normal_sample(data, 10, 10, 0.20);
  const auto cand = test::normal_sample(data, 10, 10, 0.20);
  const auto c = comparison(analyse(pair_of(base, cand), AnalysisOptions{}));
  REQUIRE((c.ratio_ci_low < 0.9 || c.ratio_ci_high > 1.1));
  CHECK(c.call == Call::inconclusive);
  CHECK(contains(c.reason, "still allows a difference of 10% or more"));
}

TEST_CASE("inconclusive, rule c: interval beyond the minimum effect, test not significant after Holm", "[calls]") {
  // The same +6% pair measured by 8 metrics: raw p ~ 0.01, times 8 after Holm.
  const std::vector<double> base{100, 101, 99, 100.5, 99.5, 100.2, 99.8, 106.5};
  const std::vector<double> cand{106, 107, 105, 106.5, 105.5, 106.2, 99.9, 105.8};
  std::vector<Observation> obs;
  for (int m = 0; m < 8; ++m) {
    add(obs, "w", "base", "m" + std::to_string(m), Direction::lower_is_better, true, base);
    add(obs, "w", "cand", "m" + std::to_string(m), Direction::lower_is_better, true, cand);
  }
  const auto c = comparison(analyse(obs, AnalysisOptions{}));
  REQUIRE(c.p_value < 0.05);
  REQUIRE(c.p_adjusted >= 0.05);
  REQUIRE(c.ratio_ci_low > 1.02);
  REQUIRE(c.ratio_ci_high < 1.10);
  CHECK(c.call == Call::inconclusive);
  CHECK(contains(c.reason, "lies beyond +-2%"));
  // The same pair alone is significant and called.
  CHECK(comparison(analyse(pair_of(base, cand), AnalysisOptions{})).call == Call::worse);
}

TEST_CASE("inconclusive, rule d: strong evidence of a difference not yet shown to exceed the minimum", "[calls]") {
  Rng data(32);  // a +3% shift, CV 3%, 30 v 30: strongly significant, interval from +0.8% up
  const auto base = test::normal_sample(data, 30, 100, 0.03);
  const auto cand = test::normal_sample(data, 30, 103, 0.03);
  const auto c = comparison(analyse(pair_of(base, cand), AnalysisOptions{}));
  INFO(c.reason);
  REQUIRE(c.p_adjusted < 0.005);
  REQUIRE(c.ratio > 1.02);
  REQUIRE(c.ratio_ci_low <= 1.02);
  CHECK(c.call == Call::inconclusive);
  CHECK(contains(c.reason, "a difference is very likely"));
}

TEST_CASE("a real difference smaller than the minimum effect is no significant difference", "[calls]") {
  Rng data(41);
  const auto base = test::normal_sample(data, 200, 100, 0.01);
  const auto cand = test::normal_sample(data, 200, 101, 0.01);  // +1%, clearly significant
  const auto c = comparison(analyse(pair_of(base, cand), AnalysisOptions{}));
  REQUIRE(c.p_adjusted < 0.001);
  CHECK(c.ratio_ci_high < 1.02);
  CHECK(c.call == Call::no_difference);
  CHECK(to_string(c.call) == "no significant difference");
}

TEST_CASE("a baseline median of zero gives no ratio: the difference of medians with its interval", "[calls]") {
  const auto a = analyse(pair_of({0, 0, 0, 1, 0, 0, 0, 0}, {5, 6, 4, 5, 7, 5, 6, 5}), AnalysisOptions{});
  const auto& c = comparison(a);
  CHECK(std::isnan(c.ratio));
  CHECK(std::isnan(c.ratio_ci_low));
  CHECK(c.no_ratio == "the baseline's median is 0");
  CHECK(c.difference == 5);
  CHECK(c.difference_ci_low > 0);
  CHECK(c.difference_ci_high >= c.difference);
  CHECK(c.call == Call::worse);
  CHECK(contains(c.reason, "no ratio: the baseline's median is 0"));
  CHECK_FALSE(contains(c.reason, "nan"));
  CHECK(a.workloads[0].schedulers[1].rank == 0);  // no usable headline ratio: not ranked
}

TEST_CASE("negative and mixed-sign values give no ratio: a lower (more negative) objective is better",
          "[calls]") {
  const auto a = analyse(pair_of({-1, -1.2, -0.9, -1.1, -1.05, -0.95}, {-3, -3.1, -2.9, -3.2, -2.8, -3.05}),
                         AnalysisOptions{});
  const auto& c = comparison(a);
  CHECK(std::isnan(c.ratio));
  CHECK(c.no_ratio == "the values are negative or of mixed sign");
  CHECK(c.difference == Approx(-3.025 + 1.025));
  CHECK(c.difference_ci_high < 0);
  CHECK(c.call == Call::better);
  const auto mixed = comparison(analyse(pair_of({1, -1, 2, -2, 1.5, -0.5}, {1, -1, 2, -2, 1.5, -0.5}), AnalysisOptions{}));
  CHECK(mixed.no_ratio == "the values are negative or of mixed sign");
  CHECK(mixed.call == Call::no_difference);
}

TEST_CASE("small counts give no ratio, large counts keep it", "[calls]") {
  std::vector<Observation> obs;
  for (const double v : {1, 1, 2, 1, 1, 1}) obs.push_back({"w", "base", "ejections", "count", Direction::lower_is_better, true, v, ""});
  for (const double v : {2, 3, 2, 2, 3, 2}) obs.push_back({"w", "cand", "ejections", "count", Direction::lower_is_better, true, v, ""});
  const auto small = comparison(analyse(obs, AnalysisOptions{}));
  CHECK(std::isnan(small.ratio));
  CHECK(contains(small.no_ratio, "small counts"));
  CHECK(small.difference == 1);
  for (auto& o : obs) o.value *= 1000;
  const auto large = comparison(analyse(obs, AnalysisOptions{}));
  CHECK(large.no_ratio.empty());
  CHECK(large.ratio == Approx(2.0));
}

TEST_CASE("constant metrics: identical samples are no difference, distinct constants a zero-width interval",
          "[calls]") {
  const auto same = comparison(analyse(pair_of({4, 4, 4, 4, 4, 4}, {4, 4, 4, 4, 4, 4}), AnalysisOptions{}));
  CHECK(same.ratio == 1);
  CHECK(same.ratio_ci_low == 1);
  CHECK(same.ratio_ci_high == 1);
  CHECK(same.difference == 0);
  CHECK(same.p_value == 1);
  CHECK(same.call == Call::no_difference);
  CHECK_FALSE(contains(same.reason, "nan"));
  const auto zeros = comparison(analyse(pair_of({0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}), AnalysisOptions{}));
  CHECK(std::isnan(zeros.ratio));
  CHECK(zeros.difference == 0);
  CHECK(zeros.call == Call::no_difference);
  CHECK_FALSE(contains(zeros.reason, "nan"));
  const auto apart = comparison(analyse(pair_of({4, 4, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5}), AnalysisOptions{}));
  CHECK(apart.ratio == 1.25);
  CHECK(apart.ratio_ci_low == 1.25);
  CHECK(apart.call == Call::worse);
}

TEST_CASE("analyse: order, baseline, informational metrics, ranking and warnings", "[analysis]") {
  std::vector<Observation> obs;
  for (int r = 0; r < 8; ++r) {
    const double j = 0.001 * r;  // small distinct jitter: CV well under 5%
    obs.push_back({"msg", "fast", "time_s", "s", Direction::lower_is_better, true, 1.0 + j, ""});
    obs.push_back({"msg", "fast", "ctx", "count", Direction::informational, false, 50.0 + r, ""});
    obs.push_back({"msg", "eevdf", "time_s", "s", Direction::lower_is_better, true, 2.0 + j, ""});
    obs.push_back({"msg", "eevdf", "ctx", "count", Direction::informational, false, 100.0 + r, ""});
    obs.push_back({"msg", "slow", "time_s", "s", Direction::lower_is_better, true, 4.0 + j, ""});
    obs.push_back({"msg", "slow", "ctx", "count", Direction::informational, false, 90.0 + 10 * r, ""});
    obs.push_back({"msg", "noisy", "time_s", "s", Direction::lower_is_better, true, r % 2 ? 1.5 : 2.5, ""});
    obs.push_back({"frames", "eevdf", "fps", "fps", Direction::higher_is_better, true, 60.0 + j, ""});
    obs.push_back({"frames", "fast", "fps", "fps", Direction::higher_is_better, true, 66.0 + j, ""});
    obs.push_back({"frames", "slow", "fps", "fps", Direction::higher_is_better, true, 30.0 + j, ""});
  }
  AnalysisOptions o;
  o.baseline = "eevdf";
  const auto a = analyse(obs, o);
  CHECK(a.baseline == "eevdf");
  REQUIRE(a.workloads.size() == 2);
  CHECK(a.workloads[0].workload == "msg");
  CHECK(a.workloads[1].workload == "frames");

  const auto& msg = a.workloads[0];
  REQUIRE(msg.schedulers.size() == 4);
  CHECK(msg.schedulers[0].scheduler == "fast");  // first seen, even before the baseline
  CHECK(msg.schedulers[1].scheduler == "eevdf");
  CHECK(msg.schedulers[2].scheduler == "slow");
  CHECK(msg.schedulers[3].scheduler == "noisy");
  const auto& fast_time = msg.schedulers[0].metrics[0];
  CHECK(fast_time.metric == "time_s");
  CHECK(fast_time.summary.n == 8);
  CHECK(fast_time.summary.median == Approx(1.0035));
  CHECK(fast_time.vs_baseline->ratio == Approx(1.0035 / 2.0035));
  CHECK(fast_time.vs_baseline->call == Call::better);
  CHECK_FALSE(msg.schedulers[0].metrics[1].vs_baseline.has_value());  // informational: never called
  CHECK(msg.schedulers[0].metrics[1].summary.median == Approx(53.5));  // ... but summarised
  for (const auto& m : msg.schedulers[1].metrics) CHECK_FALSE(m.vs_baseline.has_value());  // the baseline
  CHECK(msg.schedulers[2].metrics[0].vs_baseline->call == Call::worse);
  CHECK(msg.schedulers[3].metrics[0].vs_baseline->call == Call::inconclusive);

  // Scores: fast 2.0035/1.0035, eevdf 1, noisy 2.0035/2.0, slow 2.0035/4.0035.
  CHECK(msg.schedulers[0].rank == 1);
  CHECK(msg.schedulers[3].rank == 2);
  CHECK(msg.schedulers[1].rank == 3);
  CHECK(msg.schedulers[2].rank == 4);
  CHECK(msg.schedulers[0].score == Approx(2.0035 / 1.0035));
  CHECK(msg.schedulers[1].score == 1.0);

  const auto& frames = a.workloads[1];
  CHECK(frames.schedulers[0].scheduler == "eevdf");
  CHECK(frames.schedulers[1].metrics[0].vs_baseline->call == Call::better);  // higher fps
  CHECK(frames.schedulers[1].score == Approx(66.0035 / 60.0035));
  CHECK(frames.schedulers[2].score == Approx(30.0035 / 60.0035));

  // Overall: geometric means over the workloads; noisy ran one of the two.
  REQUIRE(a.overall_ranking.size() == 4);
  CHECK(a.overall_ranking[0].first == "fast");
  CHECK(a.overall_ranking[0].second == Approx(std::sqrt(2.0035 / 1.0035 * 66.0035 / 60.0035)));
  CHECK(a.overall_ranking[1].first == "noisy");
  CHECK(a.overall_ranking[2].first == "eevdf");
  CHECK(a.overall_ranking[3].first == "slow");

  // Warnings: the noisy time (CV 26.7%), named with workload, scheduler, metric and CV; the
  // noisy informational ctx of slow is not warned about; noisy covers 1 of 2 workloads.
  REQUIRE(a.warnings.size() == 2);
  CHECK(a.warnings[0] == "msg / noisy: headline time_s varies a lot between repetitions (CV 27%, over 5%): run more "
                         "repetitions or quiet the machine");
  CHECK(a.warnings[1] == "noisy: the overall score covers 1 of the 2 ranked workloads");
  CHECK(msg.warnings.size() == 1);
  REQUIRE(msg.noisy.size() == 1);
  CHECK(msg.noisy[0].scheduler == "noisy");
  CHECK(msg.noisy[0].threshold == 0.05);
  REQUIRE(msg.noisy[0].metrics.size() == 1);
  CHECK(msg.noisy[0].metrics[0].metric == "time_s");
  CHECK(msg.noisy[0].metrics[0].cv == Approx(0.267).epsilon(0.01));
}

TEST_CASE("many noisy metrics are one line: how many, the worst, the noisy headline metrics and what to do",
          "[analysis]") {
  std::vector<Observation> obs;
  add(obs, "w", "s", "time_s", Direction::lower_is_better, true, {1, 1.2, 0.8, 1.1, 0.9});
  add(obs, "w", "s", "steady", Direction::lower_is_better, true, {1, 1.001, 0.999, 1, 1});
  for (int k = 0; k < 21; ++k) {
    add(obs, "w", "s", "probe.p" + std::to_string(k), Direction::lower_is_better, false,
        {1, 1.0 + 0.1 * k, 1, 0.5, 1.5});
  }
  const auto a = analyse(obs, AnalysisOptions{});
  const auto& w = a.workloads[0];
  REQUIRE(w.warnings.size() == 1);
  INFO(w.warnings[0]);
  CHECK(w.warnings[0] == "w / s: 22 metrics vary a lot between repetitions (CV over 5%), worst probe.p20 "
                         "69%; headline time_s 16%: run more repetitions or quiet the machine");
  REQUIRE(w.noisy.size() == 1);
  CHECK(w.noisy[0].metrics.size() == 22);  // not the steady one
  CHECK(w.noisy[0].metrics.front().metric == "probe.p20");
  for (std::size_t i = 1; i < w.noisy[0].metrics.size(); ++i) {
    CHECK(w.noisy[0].metrics[i - 1].cv >= w.noisy[0].metrics[i].cv);
  }
}

TEST_CASE("analyse: the first scheduler seen is the default baseline", "[analysis]") {
  const auto a = analyse(pair_of({1, 1.01, 0.99, 1.02, 0.98}, {2, 2.01, 1.99, 2.02, 1.98}), AnalysisOptions{});
  CHECK(a.baseline == "base");
  CHECK_FALSE(a.workloads[0].schedulers[0].metrics[0].vs_baseline.has_value());
  CHECK(a.workloads[0].schedulers[1].metrics[0].vs_baseline->call == Call::worse);
}

TEST_CASE("analyse: a workload without the baseline is not ranked and says so", "[analysis]") {
  std::vector<Observation> obs;
  add(obs, "a", "base", "t", Direction::lower_is_better, true, {1, 1.01, 0.99, 1.02, 0.98});
  add(obs, "a", "x", "t", Direction::lower_is_better, true, {0.5, 0.51, 0.49, 0.52, 0.48});
  add(obs, "b", "x", "t", Direction::lower_is_better, true, {3, 3.01, 2.99, 3.02, 2.98});
  const auto a = analyse(obs, AnalysisOptions{});
  REQUIRE(a.workloads.size() == 2);
  CHECK(a.workloads[1].schedulers[0].rank == 0);
  CHECK_FALSE(a.workloads[1].schedulers[0].metrics[0].vs_baseline.has_value());
  REQUIRE(a.workloads[1].warnings.size() == 1);
  CHECK(contains(a.workloads[1].warnings[0], "the baseline base has no values here"));
  REQUIRE(a.overall_ranking.size() == 2);
  CHECK(a.overall_ranking[0].first == "x");
  CHECK(a.overall_ranking[0].second == Approx(2.0 / 1.0).epsilon(0.02));  // from workload a only
}

TEST_CASE("analyse: non-finite values are dropped with a warning, a metric the baseline lacks is named",
          "[analysis]") {
  std::vector<Observation> obs;
  add(obs, "w", "base", "t", Direction::lower_is_better, true, {1, 1.01, NAN, 0.99, 1.02, 0.98});
  add(obs, "w", "cand", "t", Direction::lower_is_better, true, {1, 1.01, 0.99, 1.02, INFINITY, 0.98});
  add(obs, "w", "cand", "extra", Direction::higher_is_better, false, {5, 5.01, 5.02});
  const auto a = analyse(obs, AnalysisOptions{});
  CHECK(a.workloads[0].schedulers[0].metrics[0].summary.n == 5);
  CHECK(a.workloads[0].schedulers[1].metrics[0].summary.n == 5);
  CHECK_FALSE(a.workloads[0].schedulers[1].metrics[1].vs_baseline.has_value());
  REQUIRE(a.warnings.size() == 3);
  CHECK(a.warnings[0] == "w / cand: extra not compared: the baseline base has no values for it");
  CHECK(a.warnings[1] == "w / base: t: ignored 1 non-finite value(s) (NaN or infinite)");
  CHECK(a.warnings[2] == "w / cand: t: ignored 1 non-finite value(s) (NaN or infinite)");
}

TEST_CASE("analyse is deterministic, and a comparison does not move when a scheduler is added", "[analysis]") {
  Rng data(5);
  std::vector<Observation> obs;
  add(obs, "w", "base", "t", Direction::lower_is_better, true, test::normal_sample(data, 30, 10, 0.03));
  add(obs, "w", "cand", "t", Direction::lower_is_better, true, test::normal_sample(data, 30, 10.5, 0.03));
  const auto first = comparison(analyse(obs, AnalysisOptions{}));
  const auto again = comparison(analyse(obs, AnalysisOptions{}));
  CHECK(first.ratio_ci_low == again.ratio_ci_low);
  CHECK(first.ratio_ci_high == again.ratio_ci_high);
  add(obs, "w", "other", "t", Direction::lower_is_better, true, test::normal_sample(data, 30, 9, 0.03));
  const auto with_other = comparison(analyse(obs, AnalysisOptions{}));
  CHECK(with_other.ratio_ci_low == first.ratio_ci_low);
  CHECK(with_other.ratio_ci_high == first.ratio_ci_high);
  AnalysisOptions reseeded;
  reseeded.seed = 2;
  const auto other_seed = comparison(analyse(obs, reseeded));
  CHECK((other_seed.ratio_ci_low != first.ratio_ci_low || other_seed.ratio_ci_high != first.ratio_ci_high));
}

TEST_CASE("analysis options out of range are refused, naming the option", "[analysis]") {
  const auto refusal = [](const AnalysisOptions& o) {
    try {
      analyse(std::vector<Observation>{}, o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  AnalysisOptions o;
  o.alpha = 0;
  CHECK(contains(refusal(o), "alpha = 0: must be in (0, 1)"));
  o = {};
  o.resamples = 10;
  CHECK(contains(refusal(o), "resamples = 10: use at least 100"));
  o = {};
  o.min_effect = -0.1;
  CHECK(contains(refusal(o), "min_effect"));
  o = {};
  o.level = 1.5;
  CHECK_THROWS_AS(summarize(std::vector<double>{1, 2}, o), std::invalid_argument);
  CHECK(refusal(AnalysisOptions{}) == "accepted");
}

TEST_CASE("summarize: median, interval, spread, non-finite values ignored", "[analysis]") {
  const std::vector<double> v{10, 12, 11, 13, 9, NAN, 10.5};
  const auto s = summarize(v, AnalysisOptions{});
  CHECK(s.n == 6);
  CHECK(s.median == Approx(10.75));
  CHECK(s.mean == Approx(65.5 / 6));
  CHECK(s.min == 9);
  CHECK(s.max == 13);
  CHECK(s.cv == Approx(s.sd / s.mean));
  CHECK(s.ci_low <= s.median);
  CHECK(s.ci_high >= s.median);
  CHECK(s.ci_low >= 9);
  const auto again = summarize(v, AnalysisOptions{});
  CHECK(again.ci_low == s.ci_low);
  CHECK(again.ci_high == s.ci_high);
}

TEST_CASE("precise_enough compares the interval half-width with the target, from 5 values on", "[analysis]") {
  Summary s;
  s.n = 10;
  s.median = 100;
  s.ci_low = 98;
  s.ci_high = 102;
  CHECK(precise_enough(s, 0.03));
  CHECK(precise_enough(s, 0.02));
  CHECK_FALSE(precise_enough(s, 0.01));
  s.n = 4;  // a 4-value interval covers ~88%: never precise
  CHECK_FALSE(precise_enough(s, 0.03));
  Summary zero;
  zero.n = 6;
  CHECK(precise_enough(zero, 0.03));  // all zeros: a zero-width interval
}

TEST_CASE("analyse: headline metrics are their own Holm family, not diluted by probe metrics", "[analysis]") {
  // 5 v 5 completely separated: exact two-sided p = 0.0079. One headline metric, twenty
  // secondary ones: Holm over all 21 would give 0.17 and no call.
  std::vector<Observation> obs;
  const std::vector<double> base{10.0, 10.1, 10.2, 10.3, 10.4}, fast{9.0, 9.1, 9.2, 9.3, 9.4};
  add(obs, "w", "base", "time_s", Direction::lower_is_better, true, base);
  add(obs, "w", "cand", "time_s", Direction::lower_is_better, true, fast);
  for (int i = 0; i < 20; ++i) {
    add(obs, "w", "base", "probe" + std::to_string(i), Direction::lower_is_better, false, base);
    add(obs, "w", "cand", "probe" + std::to_string(i), Direction::lower_is_better, false, fast);
  }
  const auto a = analyse(obs, AnalysisOptions{});
  const auto& headline = comparison(a, 0);
  CHECK(headline.p_adjusted == Approx(headline.p_value));
  CHECK(headline.call == Call::better);
  const auto& secondary = comparison(a, 1);
  CHECK(secondary.p_adjusted == Approx(std::min(1.0, 20 * secondary.p_value)));
  CHECK(secondary.call == Call::inconclusive);
}
