// What the report shows of a knob's effect: the model's partial dependence. On an objective
// with a known shape (a parabola in x, a step in mode, nothing in y) the curves must find the
// shape: the minimum where it is, the better choice lower, and every number finite with the
// band around the mean.
#include <algorithm>
#include <cmath>
#include <string>

#include "catch.hpp"
#include "spaces.hpp"
#include "tuner/optimizer.hpp"

using namespace scxlab::tuner;
using scxlab::tuner::testing::integer;
using scxlab::tuner::testing::real;

namespace {

Space effect_space() {
  Space s("effects");
  s.add(real("x", 0, 1, 0.2));
  s.add(real("y", 0, 1, 0.5));
  s.add(integer("n", 1, 9, 1, 5));
  Knob mode;
  mode.name = "mode";
  mode.type = KnobType::categorical;
  mode.choices = {"auto", "performance"};
  mode.default_value = std::string("auto");
  s.add(mode);
  return s;
}

double objective(const Space& s, const Config& c) {
  const double x = as_number(s.value(c, "x"));
  const double n = as_number(s.value(c, "n"));
  const bool performance = std::get<std::string>(s.value(c, "mode")) == "performance";
  return 10 + 20 * (x - 0.7) * (x - 0.7) + 0.1 * (n - 5) * (n - 5) - (performance ? 2 : 0);
}

const PartialDependence& effect_of(const std::vector<PartialDependence>& all, const std::string& knob) {
  for (const auto& pd : all) {
    if (pd.knob == knob) return pd;
  }
  FAIL("no partial dependence for " << knob);
  throw;
}

}  // namespace

TEST_CASE("partial dependence finds a known shape: the minimum of x, the better mode, y flat", "[tuner][effects]") {
  const auto space = effect_space();
  OptimizerOptions o;
  o.seed = 3;
  o.budget.evaluations = 24;
  Optimizer opt(space, o);
  CHECK(opt.partial_dependence().empty());  // no model before the first observation
  opt.run([&](const Config& c) { return Outcome{true, {objective(space, c)}, {}, 1}; });

  const auto all = opt.partial_dependence();
  REQUIRE(all.size() == 4);
  const auto importance = opt.importance();
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].knob == importance[i].knob);
  for (const auto& pd : all) {
    INFO(pd.knob);
    REQUIRE(pd.at.size() == pd.mean.size());
    REQUIRE(pd.low.size() == pd.mean.size());
    REQUIRE(pd.high.size() == pd.mean.size());
    for (std::size_t i = 0; i < pd.at.size(); ++i) {
      CHECK(std::isfinite(pd.mean[i]));
      CHECK(pd.low[i] <= pd.mean[i]);
      CHECK(pd.mean[i] <= pd.high[i]);
    }
  }

  const auto& x = effect_of(all, "x");
  REQUIRE(x.at.size() == 25);
  CHECK(x.at.front() == 0);
  CHECK(x.at.back() == 1);
  CHECK(x.labels.empty());
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.at.size(); ++i) {
    if (x.mean[i] < x.mean[best]) best = i;
  }
  CHECK(x.at[best] == Approx(0.7).margin(0.15));
  CHECK(x.mean.front() - x.mean[best] > 5);  // 20 * 0.49 = 9.8 in truth

  const auto& n = effect_of(all, "n");
  REQUIRE(n.at.size() == 9);  // every integer level
  for (std::size_t i = 0; i < n.at.size(); ++i) CHECK(n.at[i] == static_cast<double>(i + 1));

  const auto& mode = effect_of(all, "mode");
  REQUIRE(mode.labels == std::vector<std::string>{"auto", "performance"});
  CHECK(mode.mean[1] < mode.mean[0]);

  const auto& y = effect_of(all, "y");  // no effect: flatter than x by far
  const auto span = [](const PartialDependence& pd) {
    return *std::max_element(pd.mean.begin(), pd.mean.end()) - *std::min_element(pd.mean.begin(), pd.mean.end());
  };
  CHECK(span(y) < span(x) / 4);
}
