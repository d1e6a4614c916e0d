// Batch proposals (Optimizer::suggest(pending)): what a fleet tune asks while evaluations run
// elsewhere. With nothing pending it is the sequential proposal; during the initial design the
// pending design points are skipped; afterwards the Kriging believer spreads a batch out.
#include <cmath>
#include <vector>

#include "catch.hpp"
#include "spaces.hpp"
#include "tuner/optimizer.hpp"

using namespace scxlab::tuner;
using scxlab::tuner::testing::number;
using scxlab::tuner::testing::real;

namespace {

Space plane() {
  Space s("plane");
  s.add(real("x", 0, 1, 0.5));
  s.add(real("y", 0, 1, 0.5));
  return s;
}

// Branin on the unit square (minimum 0.397887 at three points).
double branin(const Space& s, const Config& c) {
  const double x1 = 15 * number(s, c, "x") - 5, x2 = 15 * number(s, c, "y");
  const double pi = 3.141592653589793;
  const double t = x2 - 5.1 / (4 * pi * pi) * x1 * x1 + 5 / pi * x1 - 6;
  return t * t + 10 * (1 - 1 / (8 * pi)) * std::cos(x1) + 10;
}

OptimizerOptions options(std::size_t budget) {
  OptimizerOptions o;
  o.seed = 7;
  o.budget.evaluations = budget;
  return o;
}

// An optimiser that has observed its first `n` proposals.
Optimizer after(std::size_t n) {
  const auto space = plane();
  Optimizer opt(space, options(40));
  while (opt.evaluations() < n) {
    const auto c = opt.suggest().config;
    opt.observe(c, Outcome{true, {branin(space, c)}, {}, 0});
  }
  return opt;
}

std::vector<Config> batch_of(const Optimizer& opt, std::size_t size) {
  std::vector<Config> batch;
  while (batch.size() < size) batch.push_back(opt.suggest(batch).config);
  return batch;
}

double distance(const Space& s, const Config& a, const Config& b) {
  return std::hypot(number(s, a, "x") - number(s, b, "x"), number(s, a, "y") - number(s, b, "y"));
}

}  // namespace

TEST_CASE("with nothing pending a batch proposal is the sequential one", "[tuner][batch]") {
  for (const std::size_t n : {0, 3, 12}) {
    const auto opt = after(n);
    CHECK(opt.suggest({}).config == opt.suggest().config);
  }
}

TEST_CASE("during the initial design the pending design points are skipped, not proposed again", "[tuner][batch]") {
  const auto space = plane();
  auto opt = after(1);
  const auto first = opt.suggest();
  REQUIRE(first.reason == Reason::initial_design);
  const auto second = opt.suggest({first.config});
  CHECK(second.config != first.config);
  CHECK(second.reason == Reason::initial_design);
  opt.observe(first.config, Outcome{true, {branin(space, first.config)}, {}, 0});
  CHECK(opt.suggest().config == second.config);  // the design point that comes next anyway
}

TEST_CASE("with k design points pending the proposal is design point k + 1", "[tuner][batch]") {
  const auto space = plane();
  Optimizer sequential(space, options(40));
  std::vector<Config> design;
  while (design.size() < 5) {
    const auto s = sequential.suggest();
    REQUIRE(s.reason != Reason::acquisition);
    design.push_back(s.config);
    sequential.observe(s.config, Outcome{true, {branin(space, s.config)}, {}, 0});
  }
  const Optimizer fresh(space, options(40));
  for (std::size_t k = 0; k < design.size(); ++k) {
    INFO(k << " pending");
    CHECK(fresh.suggest({design.begin(), design.begin() + static_cast<std::ptrdiff_t>(k)}).config == design[k]);
  }
}

TEST_CASE("after the initial design a batch of 8 is spread out, where 8 sequential asks repeat one point",
          "[tuner][batch]") {
  const auto space = plane();
  const auto opt = after(12);
  REQUIRE(opt.suggest().reason == Reason::acquisition);
  std::vector<Config> batch, searched;  // all proposals; those the acquisition chose (not re-runs)
  while (batch.size() < 8) {
    const auto s = opt.suggest(batch);
    UNSCOPED_INFO(space.describe(s.config) << " (" << to_string(s.reason) << ")");
    if (s.reason == Reason::acquisition) searched.push_back(s.config);
    batch.push_back(s.config);
  }
  CHECK(searched.size() >= 6);  // Branin's misfit reads as noise: the incumbent is re-run now and then
  double closest = 1e9;
  for (std::size_t i = 0; i < searched.size(); ++i) {
    for (std::size_t j = 0; j < batch.size(); ++j) {
      if (!(batch[j] == searched[i])) closest = std::min(closest, distance(space, searched[i], batch[j]));
    }
  }
  std::size_t repeats = 0;
  for (const auto& c : searched) repeats += static_cast<std::size_t>(std::count(batch.begin(), batch.end(), c)) - 1;
  CHECK(repeats == 0);     // no searched point is proposed twice, nor where a re-run is pending
  CHECK(closest > 1e-3);   // nor next to another point of the batch
  CHECK(opt.suggest().config == opt.suggest().config);
}

TEST_CASE("a batch proposal is a pure function of the history and the pending points", "[tuner][batch]") {
  const auto a = after(12), b = after(12);
  CHECK(batch_of(a, 4) == batch_of(b, 4));
}
