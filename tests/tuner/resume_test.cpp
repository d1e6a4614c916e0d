// Resume: an interrupted run is continued by replaying the stored observations into a fresh
// Optimizer (through the JSON the store keeps); its next proposal must be the one the
// original optimiser would have made, in every regime (initial design, log EI, noisy EI with
// re-runs, outcome constraints).
#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "spaces.hpp"
#include "tuner/optimizer.hpp"
#include "tuner/random.hpp"

using namespace scxlab::tuner;
using scxlab::tuner::testing::mixed_space;
using scxlab::tuner::testing::number;

namespace {

double mixed_objective(const Space& s, const Config& c) {
  const double x = number(s, c, "x");
  return std::pow(x - 0.7, 2) + 0.02 * number(s, c, "nr_a") - 0.01 * number(s, c, "nr_b") +
         0.1 * std::log(number(s, c, "slice_max_us")) + 0.05 * number(s, c, "mode") +
         0.1 * number(s, c, "flag") + 1e-7 * number(s, c, "migration_ns");
}

// A fresh optimiser fed `stored` through JSON, as the harness resumes from its store.
Optimizer replay(const Space& space, const OptimizerOptions& o, const std::vector<Observation>& stored) {
  Optimizer fresh(space, o);
  for (const auto& obs : stored) {
    const std::string text = space.to_json(obs.config).dump();
    fresh.observe(space.from_json(nlohmann::json::parse(text)), obs.outcome);
  }
  return fresh;
}

void require_same(const Suggestion& a, const Suggestion& b) {
  REQUIRE(a.config == b.config);
  REQUIRE(a.reason == b.reason);
  REQUIRE((a.log_acquisition == b.log_acquisition || (std::isnan(a.log_acquisition) && std::isnan(b.log_acquisition))));
}

// Runs `o.budget.evaluations` evaluations, checking at each of `cuts` (evaluation counts)
// that a replayed optimiser proposes what the running one does; returns the reasons seen.
std::vector<Reason> run_with_resumes(const Space& space, const OptimizerOptions& o, const std::vector<std::size_t>& cuts,
                                     double noise_sd, bool constrained) {
  Optimizer opt(space, o);
  scxlab::stats::Rng rng(99);
  std::vector<Reason> reasons;
  while (!opt.finished()) {
    const Suggestion s = opt.suggest();
    reasons.push_back(s.reason);
    if (std::find(cuts.begin(), cuts.end(), opt.evaluations()) != cuts.end()) {
      INFO("resumed after " << opt.evaluations() << " evaluations");
      require_same(replay(space, o, opt.observations()).suggest(), s);
      require_same(opt.suggest(), s);  // asking again without observing changes nothing
    }
    Outcome out{true, {mixed_objective(space, s.config) + noise_sd * standard_normal(rng)}, {}, 0};
    if (constrained) out.constraints = {number(space, s.config, "x") + 0.01 * standard_normal(rng)};
    opt.observe(s.config, out);
  }
  return reasons;
}

}  // namespace

TEST_CASE("resume: replayed observations give the same next proposal (noise-free)", "[tuner]") {
  const Space space = mixed_space();
  OptimizerOptions o;
  o.seed = 21;
  o.budget.evaluations = 24;
  const auto reasons = run_with_resumes(space, o, {0, 3, 16, 17, 23}, 0, false);
  REQUIRE(std::count(reasons.begin(), reasons.end(), Reason::acquisition) > 0);
}

TEST_CASE("resume: replayed observations give the same next proposal (noisy, constrained)", "[tuner]") {
  const Space space = mixed_space();
  OptimizerOptions o;
  o.seed = 22;
  o.budget.evaluations = 30;
  o.constraints = {{"x", OutcomeConstraint::Kind::at_most, 0.8}};
  const auto reasons = run_with_resumes(space, o, {16, 20, 24, 29}, 0.2, true);
  // The noise must be learned, so the noisy EI and re-run paths are the ones resumed.
  REQUIRE(std::count(reasons.begin(), reasons.end(), Reason::rerun) > 0);
}
