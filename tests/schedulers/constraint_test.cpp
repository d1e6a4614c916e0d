// What is left of a manifest constraint once the knobs not tuned take their values: holds,
// fails, linear comparisons of the tuned knobs, or nonlinear (a disjunction or != remains).
#include <map>
#include <optional>
#include <set>
#include <string>

#include "catch.hpp"
#include "schedulers/constraint.hpp"

using namespace scxlab::schedulers;
using Kind = Residual::Kind;
using Terms = std::vector<std::pair<std::string, double>>;

namespace {

// The residual of `expr` with `free` knobs free and the others at `known` (absent: no value).
Residual residual(const std::string& expr, const std::set<std::string>& free, const std::map<std::string, double>& known) {
  return ConstraintExpr::parse(expr).residual([&](const std::string& n) { return free.count(n) > 0; },
                                              [&](const ConstraintExpr::Ref& r) -> std::optional<double> {
                                                const auto it = known.find(r.name);
                                                if (it == known.end()) return std::nullopt;
                                                return it->second;
                                              });
}

}  // namespace

TEST_CASE("lavd's pinned slice constraint with pinned_slice_us and slice_min_us held is a bound on slice_max_us") {
  const std::string lavd = "pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us";
  const auto r = residual(lavd, {"slice_max_us", "preempt_shift"}, {{"pinned_slice_us", 5000}, {"slice_min_us", 500}});
  REQUIRE(r.kind == Kind::linear);
  REQUIRE(r.all_of.size() == 1);
  // 5000 <= slice_max_us, as -slice_max_us <= -5000.
  CHECK(r.all_of[0].terms == Terms{{"slice_max_us", -1}});
  CHECK(r.all_of[0].bound == -5000);
  CHECK_FALSE(r.all_of[0].strict);

  CHECK(residual(lavd, {"slice_max_us"}, {{"pinned_slice_us", 0}, {"slice_min_us", 500}}).kind == Kind::holds);
  CHECK(residual(lavd, {"slice_max_us"}, {{"pinned_slice_us", 300}, {"slice_min_us", 500}}).kind == Kind::fails);
  // Tuning pinned_slice_us too leaves the disjunction.
  const auto both = residual(lavd, {"slice_max_us", "pinned_slice_us"}, {{"slice_min_us", 500}});
  CHECK(both.kind == Kind::nonlinear);
  CHECK(both.all_of.empty());
}

TEST_CASE("a chain with every knob free is one comparison per link") {
  const auto r = residual("lo <= p <= hi", {"lo", "p", "hi"}, {});
  REQUIRE(r.kind == Kind::linear);
  REQUIRE(r.all_of.size() == 2);
  CHECK(r.all_of[0].terms == Terms{{"lo", 1}, {"p", -1}});
  CHECK(r.all_of[1].terms == Terms{{"p", 1}, {"hi", -1}});
  CHECK(r.all_of[0].bound == 0);
}

TEST_CASE("strict and reversed comparisons, numbers on the right, a knob compared with itself") {
  const auto lt = residual("init_dsq_index < dumb_queues", {"init_dsq_index"}, {{"dumb_queues", 4}});
  REQUIRE(lt.kind == Kind::linear);
  CHECK(lt.all_of[0].terms == Terms{{"init_dsq_index", 1}});
  CHECK(lt.all_of[0].bound == 4);
  CHECK(lt.all_of[0].strict);

  const auto gt = residual("greedy_threshold > 2", {"greedy_threshold"}, {});
  REQUIRE(gt.kind == Kind::linear);
  CHECK(gt.all_of[0].terms == Terms{{"greedy_threshold", -1}});
  CHECK(gt.all_of[0].bound == -2);
  CHECK(gt.all_of[0].strict);

  const auto eq = residual("a == 3", {"a"}, {});
  REQUIRE(eq.kind == Kind::linear);
  CHECK(eq.all_of.size() == 2);  // a <= 3 and a >= 3

  CHECK(residual("a <= a", {"a"}, {}).kind == Kind::holds);
  CHECK(residual("a < a", {"a"}, {}).kind == Kind::fails);
}

TEST_CASE("a conjunction keeps its linear parts beside what is not linear, and an unknown value lets a chain pass") {
  const auto r = residual("x == false || (a == false && c != true)", {"a", "c"}, {{"x", 1}});
  CHECK(r.kind == Kind::nonlinear);
  CHECK(r.all_of.size() == 2);  // a <= 0 and a >= 0 must hold whatever c is
  CHECK(residual("x == false || (a == false && c != true)", {"a", "c"}, {{"x", 0}}).kind == Kind::holds);
  // A knob with no value makes its chain unknown, which eval() lets pass: the residual agrees.
  CHECK(residual("lo < hi", {"hi"}, {}).kind == Kind::holds);
  CHECK(residual("lo < hi && hi < 5", {"hi"}, {}).kind == Kind::linear);
}
