#include <random>
#include <vector>

#include "catch.hpp"
#include "stats/analysis.hpp"

using namespace scxlab;
using namespace scxlab::stats;

namespace {

std::vector<Observation> two_schedulers(std::mt19937_64& gen, double shift, double cv, int reps,
                                        Direction d = Direction::lower_is_better) {
  std::normal_distribution<double> noise(0, cv);
  std::vector<Observation> obs;
  for (int r = 0; r < reps; ++r) {
    obs.push_back({"w", "base", "time_s", "s", d, true, 10 * (1 + noise(gen))});
    obs.push_back({"w", "cand", "time_s", "s", d, true, 10 * (1 + shift) * (1 + noise(gen))});
  }
  return obs;
}

Call call_of(const RunAnalysis& a) { return a.workloads.at(0).schedulers.at(1).metrics.at(0).vs_baseline->call; }

}  // namespace

TEST_CASE("A/A: no significant difference in >= 99% of simulated cases (CV 3%, 10 reps)", "[calls]") {
  std::mt19937_64 gen(11);
  AnalysisOptions o;
  o.baseline = "base";
  o.resamples = 500;
  int no_difference = 0;
  constexpr int kCases = 1000;
  for (int i = 0; i < kCases; ++i) {
    o.seed = static_cast<std::uint64_t>(i);
    no_difference += call_of(analyse(two_schedulers(gen, 0.0, 0.03, 10), o)) == Call::no_difference;
  }
  INFO("no significant difference in " << no_difference << " of " << kCases);
  CHECK(no_difference >= 990);
}

TEST_CASE("a 10% shift at CV 3% with 10 reps is called, in the right direction, in >= 95% of cases", "[calls]") {
  std::mt19937_64 gen(12);
  AnalysisOptions o;
  o.baseline = "base";
  o.resamples = 500;
  int worse = 0, better = 0;
  constexpr int kCases = 1000;
  for (int i = 0; i < kCases; ++i) {
    o.seed = static_cast<std::uint64_t>(i);
    worse += call_of(analyse(two_schedulers(gen, 0.10, 0.03, 10), o)) == Call::worse;      // slower
    better += call_of(analyse(two_schedulers(gen, 0.10, 0.03, 10, Direction::higher_is_better), o)) == Call::better;
  }
  INFO("worse " << worse << ", better " << better << " of " << kCases);
  CHECK(worse >= 950);
  CHECK(better >= 950);
}

TEST_CASE("too few repetitions for the test to ever reach significance is inconclusive", "[calls]") {
  std::mt19937_64 gen(13);
  AnalysisOptions o;
  o.baseline = "base";
  CHECK(call_of(analyse(two_schedulers(gen, 0.5, 0.01, 3), o)) == Call::inconclusive);
}

TEST_CASE("analyse keeps first-seen order, ranks, and leaves informational metrics uncalled", "[analysis]") {
  std::vector<Observation> obs;
  for (int r = 0; r < 8; ++r) {
    const double jitter = 0.001 * r;
    obs.push_back({"msg", "eevdf", "time_s", "s", Direction::lower_is_better, true, 2.0 + jitter});
    obs.push_back({"msg", "eevdf", "ctx", "count", Direction::informational, false, 100.0 + r});
    obs.push_back({"msg", "fast", "time_s", "s", Direction::lower_is_better, true, 1.0 + jitter});
    obs.push_back({"msg", "fast", "ctx", "count", Direction::informational, false, 50.0 + r});
    obs.push_back({"msg", "slow", "time_s", "s", Direction::lower_is_better, true, 4.0 + jitter});
    obs.push_back({"msg", "slow", "ctx", "count", Direction::informational, false, 90.0 + r});
  }
  AnalysisOptions o;
  o.baseline = "eevdf";
  const auto a = analyse(obs, o);
  REQUIRE(a.workloads.size() == 1);
  const auto& w = a.workloads[0];
  REQUIRE(w.schedulers.size() == 3);
  CHECK(w.schedulers[0].scheduler == "eevdf");
  CHECK(w.schedulers[1].scheduler == "fast");
  CHECK_FALSE(w.schedulers[0].metrics[0].vs_baseline.has_value());
  CHECK(w.schedulers[1].metrics[0].vs_baseline->call == Call::better);
  CHECK(w.schedulers[1].metrics[0].vs_baseline->ratio == Approx(0.5).epsilon(0.01));
  CHECK(w.schedulers[2].metrics[0].vs_baseline->call == Call::worse);
  CHECK_FALSE(w.schedulers[1].metrics[1].vs_baseline.has_value());  // informational
  CHECK(w.schedulers[1].rank == 1);
  CHECK(w.schedulers[0].rank == 2);
  CHECK(w.schedulers[2].rank == 3);
  REQUIRE(a.overall_ranking.size() == 3);
  CHECK(a.overall_ranking[0].first == "fast");
  CHECK(w.schedulers[0].metrics[0].summary.median == Approx(2.0035));
  CHECK(w.warnings.empty());
}

TEST_CASE("noisy metrics are warned about, naming scheduler, metric and CV", "[analysis]") {
  std::vector<Observation> obs;
  for (double v : {1.0, 1.5, 0.7, 1.3, 0.9}) obs.push_back({"w", "a", "time_s", "s", Direction::lower_is_better, true, v});
  const auto a = analyse(obs, AnalysisOptions{});
  REQUIRE(a.warnings.size() == 1);
  CHECK(a.warnings[0].find("time_s") != std::string::npos);
  CHECK(a.warnings[0].find("CV") != std::string::npos);
}

TEST_CASE("precise_enough compares the interval half-width with the target", "[analysis]") {
  Summary s;
  s.n = 10;
  s.median = 100;
  s.ci_low = 98;
  s.ci_high = 102;
  CHECK(precise_enough(s, 0.03));
  CHECK_FALSE(precise_enough(s, 0.01));
}
