// Constraints: the space's linear knob constraints and its rule on whole configurations hold
// for every proposal, also when the objective pushes against them, and constraints that
// leave almost no room are said so; outcome constraints steer the search by P(feasible)
// until a feasible configuration is observed, and the recommendation is feasible.
#include <cmath>
#include <functional>
#include <vector>

#include "catch.hpp"
#include "spaces.hpp"
#include "tuner/optimizer.hpp"

using namespace scxlab::tuner;
using scxlab::tuner::testing::check_proposal;
using scxlab::tuner::testing::mixed_space;
using scxlab::tuner::testing::number;

namespace {

// Searches `space` for the minimum of `f`, checking that every proposal lies in the space and
// satisfies its constraints and rule (Space::violations); returns the recommendation.
Config checked_search(const Space& space, const std::function<double(const Config&)>& f, std::uint64_t seed,
                      std::size_t budget) {
  OptimizerOptions o;
  o.seed = seed;
  o.budget.evaluations = budget;
  Optimizer opt(space, o);
  while (!opt.finished()) {
    const auto s = opt.suggest();
    check_proposal(space, s.config);
    opt.observe(s.config, {true, {f(s.config)}, {}, 0});
  }
  return opt.recommend().config;
}

}  // namespace

TEST_CASE("proposals satisfy the space's linear constraints when the optimum lies on them", "[tuner]") {
  const Space space = mixed_space();
  // Best on the boundaries: nr_a + nr_b = 12 and slice_min_us = slice_max_us.
  const auto f = [&](const Config& c) {
    const double x = number(space, c, "x");
    return (x - 0.3) * (x - 0.3) + 0.1 * (12 - number(space, c, "nr_a") - number(space, c, "nr_b")) +
           std::log(number(space, c, "slice_max_us") / number(space, c, "slice_min_us")) +
           0.05 * number(space, c, "mode");
  };
  const Config best = checked_search(space, f, 3, 40);
  INFO(space.describe(best));
  CHECK(number(space, best, "nr_a") + number(space, best, "nr_b") == 12);
  CHECK(number(space, best, "slice_max_us") / number(space, best, "slice_min_us") < 1.2);
}

TEST_CASE("a rule on whole configurations: no proposal breaks it, also where the objective pulls", "[tuner]") {
  // Allowed: x <= 0.3 || y >= 0.7, an L (not convex, not linear). The objective is best at
  // (0.9, 0.2), which the rule forbids; the best allowed point is (0.9, 0.7), f = 0.25.
  Space space("rule");
  space.add(testing::real("x", 0, 1, 0.1));
  space.add(testing::real("y", 0, 1, 0.5));
  std::size_t checks = 0;
  space.set_rule([&checks](const Config& c) -> std::string {
    ++checks;
    const double x = std::get<double>(c.values[0]), y = std::get<double>(c.values[1]);
    return x <= 0.3 || y >= 0.7 ? "" : "x <= 0.3 || y >= 0.7";
  });
  CHECK(space.violations({{0.9, 0.2}}) == std::vector<std::string>{"x <= 0.3 || y >= 0.7"});
  const auto f = [](const Config& c) {
    const double x = std::get<double>(c.values[0]), y = std::get<double>(c.values[1]);
    return (x - 0.9) * (x - 0.9) + (y - 0.2) * (y - 0.2);
  };
  const auto best = checked_search(space, f, 4, 30);
  CHECK(checks > 0);
  INFO(space.describe(best));
  CHECK(space.rule_violation(best).empty());
  CHECK(f(best) < 0.25 + 0.03);
}

TEST_CASE("constraints that leave almost no room are refused with the numbers, not searched in circles",
          "[tuner]") {
  // Allowed: within 0.001 of the default in both knobs, 4e-6 of the box.
  Space space("tiny");
  space.add(testing::real("x", 0, 1, 0.5));
  space.add(testing::real("y", 0, 1, 0.5));
  space.set_rule([](const Config& c) -> std::string {
    const double x = std::get<double>(c.values[0]), y = std::get<double>(c.values[1]);
    return std::fabs(x - 0.5) < 1e-3 && std::fabs(y - 0.5) < 1e-3 ? "" : "near the default";
  });
  OptimizerOptions o;
  o.budget.evaluations = 10;
  CHECK_THROWS_WITH(Optimizer(space, o), Catch::Contains("leave almost no room in space 'tiny'") &&
                                             Catch::Contains("sampled configurations satisfy them") &&
                                             Catch::Contains("a rule on whole configurations"));
}

TEST_CASE("outcome constraints: P(feasible) steers the search until a feasible point exists", "[tuner]") {
  // Three knobs in [0, 1]; feasible only where x0 >= 0.9 and x1 >= 0.9 (1% of the box, not
  // the default); the objective prefers small values everywhere.
  Space space("corner");
  for (const char* name : {"x0", "x1", "x2"}) space.add(testing::real(name, 0, 1, 0.5));
  const auto f = [&](const Config& c) {
    double sum = 0;
    for (const auto& v : c.values) sum += (std::get<double>(v) - 0.2) * (std::get<double>(v) - 0.2);
    return sum;
  };
  OptimizerOptions o;
  o.seed = 11;
  o.budget.evaluations = 30;
  o.constraints = {{"x0", OutcomeConstraint::Kind::at_least, 0.9}, {"x1", OutcomeConstraint::Kind::at_least, 0.9}};
  Optimizer opt(space, o);
  std::size_t first_feasible = 0;  // 1-based evaluation number
  std::size_t design = 0;
  while (!opt.finished()) {
    const auto s = opt.suggest();
    INFO("evaluation " << opt.evaluations() + 1 << ": " << space.describe(s.config) << " (" << to_string(s.reason) << ")");
    if (s.reason == Reason::default_config || s.reason == Reason::initial_design) {
      ++design;
    } else if (first_feasible == 0) {
      REQUIRE(s.reason == Reason::feasibility);  // nothing feasible yet: P(feasible) alone
      REQUIRE(s.log_acquisition <= 0);           // a log probability
    } else {
      REQUIRE(s.reason != Reason::feasibility);
    }
    const double x0 = std::get<double>(s.config.values[0]), x1 = std::get<double>(s.config.values[1]);
    opt.observe(s.config, {true, {f(s.config)}, {x0, x1}, 0});
    if (first_feasible == 0 && x0 >= 0.9 && x1 >= 0.9) first_feasible = opt.evaluations();
  }
  // The initial design must miss the region, or this test would not exercise the steering.
  REQUIRE(first_feasible > design);
  // Random search needs ~100 evaluations on average to hit 1% of the box.
  CHECK(first_feasible <= design + 10);
  const auto r = opt.recommend();
  const double x0 = std::get<double>(r.config.values[0]), x1 = std::get<double>(r.config.values[1]);
  CHECK(x0 >= 0.9);
  CHECK(x1 >= 0.9);
  CHECK(r.feasibility >= 0.5);
  // Constrained optimum (0.9, 0.9, 0.2): f = 0.98.
  CHECK(f(r.config) < 0.98 + 0.05);
}

TEST_CASE("a failed evaluation is not recommended and is steered away from", "[tuner]") {
  Space space("fails");
  for (const char* name : {"x0", "x1"}) space.add(testing::real(name, 0, 1, 0.5));
  // Fails (the scheduler was ejected) for x0 < 0.3, where the objective would be best.
  OptimizerOptions o;
  o.seed = 5;
  o.budget.evaluations = 25;
  Optimizer opt(space, o);
  opt.run([](const Config& c) {
    const double x0 = std::get<double>(c.values[0]), x1 = std::get<double>(c.values[1]);
    if (x0 < 0.3) return Outcome::failure();
    return Outcome{true, {x0 + (x1 - 0.5) * (x1 - 0.5)}, {}, 0};
  });
  const auto r = opt.recommend();
  REQUIRE(r.modelled);
  CHECK(std::get<double>(r.config.values[0]) >= 0.3);
  CHECK(r.runs >= 1);
  // After the design, few proposals fall in the failing region.
  std::size_t failed_late = 0;
  for (std::size_t i = 10; i < opt.observations().size(); ++i) failed_late += !opt.observations()[i].outcome.ok;
  CHECK(failed_late <= 3);
}
