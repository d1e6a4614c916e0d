// Change points: a planted step is found at the run that introduced it, stationary noise gives
// almost none (rates over fixed seeds), and Welch's t-test agrees with a reference.
#include <cmath>
#include <vector>

#include "catch.hpp"
#include "simulate.hpp"
#include "stats/changepoints.hpp"
#include "stats/inference.hpp"

using namespace scxlab::stats;
using scxlab::stats::test::normal_sample;

namespace {

std::vector<double> with_step(Rng& rng, std::size_t before, std::size_t after, double step) {
  auto xs = normal_sample(rng, before, 100, 0.03);
  const auto tail = normal_sample(rng, after, 100 * (1 + step), 0.03);
  xs.insert(xs.end(), tail.begin(), tail.end());
  return xs;
}

}  // namespace

TEST_CASE("Welch's t-test matches a reference computation", "[changepoints]") {
  // References: t and Welch-Satterthwaite df by hand, the t tail by numeric integration.
  const std::vector<double> a = {1, 2, 3, 4, 5}, b = {2, 4, 6, 8, 10};
  CHECK(welch_t_p(a, b) == Approx(0.10753).epsilon(1e-3));
  const std::vector<double> c = {10.1, 9.8, 10.3, 10.0}, d = {11.2, 11.0, 10.7, 11.5, 11.1};
  CHECK(welch_t_p(c, d) == Approx(0.00041714).epsilon(1e-3));
  CHECK(welch_t_p(std::vector<double>{1, 1}, std::vector<double>{1, 1}) == 1);
  CHECK(welch_t_p(std::vector<double>{1, 1}, std::vector<double>{2, 2}) == 0);
  CHECK(welch_t_p(std::vector<double>{1}, d) == 1);
}

TEST_CASE("a planted step is found at the run that introduced it, with its size", "[changepoints]") {
  struct Case {
    double step;
    int at_run, near_run;  // series (of 100) with one change point: at run 40, within one run of it
  };
  // +10% at CV 3% is 3.3 standard deviations: a point either side of the step often looks like
  // the other regime, so the run is right within one in most series; +20% leaves no doubt.
  for (const Case c : {Case{0.10, 75, 90}, Case{0.20, 95, 95}}) {
    int one = 0, at_run = 0, near_run = 0;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
      Rng rng(seed);
      const auto cps = change_points(with_step(rng, 40, 40, c.step));
      if (cps.size() != 1) continue;
      ++one;
      at_run += cps[0].index == 40;
      if (cps[0].index + 1 < 40 || cps[0].index > 41) continue;
      ++near_run;
      CHECK(cps[0].change == Approx(c.step).margin(0.03));
      CHECK(cps[0].p_value <= 0.001);
    }
    INFO("step " << c.step << ": one change point in " << one << " of 100 series, at run 40 in " << at_run
                 << ", within one run in " << near_run);
    CHECK(one >= 95);
    CHECK(at_run >= c.at_run);
    CHECK(near_run >= c.near_run);
  }
}

TEST_CASE("stationary noise gives almost no change point", "[changepoints]") {
  int with_any = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(1000 + seed);
    if (!change_points(normal_sample(rng, 80, 100, 0.03)).empty()) ++with_any;
  }
  INFO(with_any << " of 200 stationary series had a change point");
  CHECK(with_any <= 6);
}

TEST_CASE("two steps are both found, and a step back down is a negative change", "[changepoints]") {
  Rng rng(7);
  auto xs = with_step(rng, 30, 30, 0.10);
  const auto back = normal_sample(rng, 30, 100, 0.03);
  xs.insert(xs.end(), back.begin(), back.end());
  const auto cps = change_points(xs);
  REQUIRE(cps.size() == 2);
  CHECK(cps[0].index == Approx(30).margin(1));
  CHECK(cps[0].change > 0.07);
  CHECK(cps[1].index == Approx(60).margin(1));
  CHECK(cps[1].change < -0.06);
}

TEST_CASE("change points: short series, constant series and bad options", "[changepoints]") {
  CHECK(change_points(std::vector<double>{}).empty());
  CHECK(change_points(std::vector<double>{1, 2, 3, 4, 5}).empty());  // under 2 x min_segment
  CHECK(change_points(std::vector<double>(20, 5.0)).empty());
  std::vector<double> step(10, 1.0);
  step.insert(step.end(), 10, 2.0);
  const auto cps = change_points(step);
  REQUIRE(cps.size() == 1);
  CHECK(cps[0].index == 10);
  CHECK(cps[0].change == Approx(1.0));
  ChangePointOptions bad;
  bad.max_p = 0;
  CHECK_THROWS_WITH(change_points(step, bad), Catch::Contains("max_p"));
  bad = {};
  bad.window = 1;
  CHECK_THROWS_WITH(change_points(step, bad), Catch::Contains("at least 2"));
}
