// From a scheduler manifest to the tuner's search space, and back to a scheduler
// configuration; manifest constraints over knobs held at their defaults become bounds,
// linear constraints or the space's rule, so no proposal is one the scheduler refuses;
// --subject-to bounds.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catch.hpp"
#include "harness/errors.hpp"
#include "harness/tune.hpp"
#include "harness/tune_space.hpp"
#include "tuner/optimizer.hpp"

using namespace scxlab;
using namespace scxlab::harness;

namespace {

const schedulers::Manifest& manifest(const std::string& name) {
  static const auto all = schedulers::load_manifests();
  const auto it = std::find_if(all.begin(), all.end(), [&](const auto& m) { return m.name == name; });
  REQUIRE(it != all.end());
  return *it;
}

workloads::WorkloadInfo workload(const std::string& name) { return workloads::find_workload(name).value(); }

// Every proposal of a search of `space` whose objective pulls each numeric knob toward
// `pull` (0: its low end, 1: its high end): against the constraints' edges.
std::vector<tuner::Config> proposals(const tuner::Space& space, const std::map<std::string, double>& pull,
                                     std::size_t budget) {
  const auto f = [&](const tuner::Config& c) {
    double sum = 0;
    for (const auto& [name, target] : pull) {
      const auto& k = space.knob(name);
      sum += std::fabs((tuner::as_number(space.value(c, name)) - k.low) / (k.high - k.low) - target);
    }
    return sum;
  };
  tuner::OptimizerOptions o;
  o.seed = 7;
  o.budget.evaluations = budget;
  tuner::Optimizer opt(space, o);
  std::vector<tuner::Config> out;
  while (!opt.finished()) {
    const auto s = opt.suggest();
    out.push_back(s.config);
    opt.observe(s.config, {true, {f(s.config)}, {}, 0});
  }
  return out;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("lavd's slice_max_us with pinned_slice_us held at 5000: the constraint is a bound, every proposal runs",
          "[tune]") {
  const auto& lavd = manifest("scx_lavd");
  const auto ts = tune_space(lavd, {}, workload("messaging"), {"slice_max_us", "preempt_shift"});
  const auto& space = ts.space;
  // pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us, with
  // pinned_slice_us=5000 and slice_min_us=500: slice_max_us >= 5000, a narrower range.
  CHECK(space.knob("slice_max_us").low == 5000);
  CHECK(space.knob("slice_max_us").high == 20000);
  CHECK(space.constraints().empty());
  INFO(fmt::format("{}", fmt::join(ts.constraints, "\n")));
  CHECK(mentions(ts.constraints, "slice_max_us >= 5000: from constraint 'pinned_slice_us == 0 || slice_min_us <= "
                                 "pinned_slice_us <= slice_max_us' with pinned_slice_us=5000, slice_min_us=500"));
  CHECK(space.has_rule());
  const auto all = proposals(space, {{"slice_max_us", 0}, {"preempt_shift", 1}}, 40);
  bool at_bound = false;
  for (const auto& c : all) {
    INFO(space.describe(c));
    CHECK_NOTHROW(schedulers::effective_knobs(lavd, to_scheduler_config(lavd, space, c, "proposal")));
    at_bound = at_bound || std::get<std::int64_t>(space.value(c, "slice_max_us")) == 5000;
  }
  CHECK(at_bound);  // the objective did push against the bound
}

TEST_CASE("lavd's pinned_slice_us and slice_max_us tuned together: the disjunction is checked on every "
          "configuration before it is proposed",
          "[tune]") {
  const auto& lavd = manifest("scx_lavd");
  const auto ts = tune_space(lavd, {}, workload("messaging"), {"pinned_slice_us", "slice_max_us"});
  const auto& space = ts.space;
  INFO(fmt::format("{}", fmt::join(ts.constraints, "\n")));
  CHECK(mentions(ts.constraints, "with slice_min_us=500: every configuration is checked before it is proposed"));
  CHECK(space.knob("slice_max_us").low == 1000);  // nothing linear to narrow it by
  // Refused by the rule: pinned_slice_us between 0 and slice_min_us, or above slice_max_us.
  auto bad = space.defaults();
  bad.values[*space.index_of("pinned_slice_us")] = std::int64_t{300};
  CHECK_THAT(space.rule_violation(bad), Catch::Contains("does not hold"));
  // Pulled toward small slice_max_us and large pinned_slice_us: against the rule.
  for (const auto& c : proposals(space, {{"slice_max_us", 0}, {"pinned_slice_us", 1}}, 40)) {
    INFO(space.describe(c));
    CHECK_NOTHROW(schedulers::effective_knobs(lavd, to_scheduler_config(lavd, space, c, "proposal")));
  }
}

TEST_CASE("a constraint that leaves a tuned knob a single value refuses the space naming the knob and the "
          "constraint",
          "[tune]") {
  auto m = manifest("scx_lavd");
  m.constraints = {{"slice_max_us <= pinned_slice_us", "test"}};  // with pinned_slice_us=5000
  auto& knob = *std::find_if(m.knobs.begin(), m.knobs.end(), [](const auto& k) { return k.name == "slice_max_us"; });
  knob.tune_min = 5000;
  CHECK_THROWS_WITH(tune_space(m, {}, workload("messaging"), {"slice_max_us"}),
                    Catch::Contains("nothing to search in slice_max_us") && Catch::Contains("only 5000") &&
                        Catch::Contains("constraint 'slice_max_us <= pinned_slice_us' with pinned_slice_us=5000"));
}

TEST_CASE("lavd's space: exclusive mode flags are one categorical knob, slice bounds a linear constraint",
          "[tune]") {
  const auto ts = tune_space(manifest("scx_lavd"), {}, workload("messaging"), {});
  const auto& space = ts.space;
  const auto mode = space.index_of("power_mode");
  REQUIRE(mode);
  CHECK(space.knobs()[*mode].type == tuner::KnobType::categorical);
  CHECK_FALSE(space.index_of("performance"));
  const bool has_slice_constraint = std::any_of(space.constraints().begin(), space.constraints().end(),
                                                [](const auto& c) { return c.text == "slice_min_us <= slice_max_us"; });
  CHECK(has_slice_constraint);
  CHECK(space.feasible(space.defaults()));
  // Every lavd knob with a constraint is tuned: nothing is held, the disjunctions are checks.
  CHECK(mentions(ts.constraints, "constraint 'pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= "
                                 "slice_max_us': every configuration is checked"));

  // Back to a scheduler configuration: the chosen mode flag on, the others off.
  auto config = space.defaults();
  config.values[*mode] = std::string("performance");
  const auto sched = to_scheduler_config(manifest("scx_lavd"), space, config, "tuned");
  CHECK(sched.knobs.at("performance") == "true");
  CHECK(sched.knobs.at("autopilot") == "false");
  CHECK(sched.label == "tuned");
  CHECK_NOTHROW(schedulers::build_args(manifest("scx_lavd"), sched));
}

TEST_CASE("the kernel default's space: refused knobs and other workloads' task attributes are left out, "
          "with the reason",
          "[tune]") {
  const std::vector<Unavailable> refused{{"base_slice_ns", "debugfs: Operation not permitted"}};
  const auto ts = tune_space(manifest("eevdf"), refused, workload("messaging"), {});
  CHECK_FALSE(ts.space.index_of("base_slice_ns"));
  CHECK_FALSE(ts.space.index_of("render_nice"));  // a frames task attribute
  const auto said = [&](const std::string& start) {
    return std::any_of(ts.left_out.begin(), ts.left_out.end(), [&](const auto& l) { return l.rfind(start, 0) == 0; });
  };
  CHECK(said("base_slice_ns: debugfs: Operation not permitted"));
  CHECK(said("render_nice: a task attribute of a workload with 'render_nice'"));

  const auto frames = tune_space(manifest("eevdf"), refused, workload("frames"), {"render_nice", "audio_policy"});
  CHECK(frames.space.knobs().size() == 2);
  CHECK(frames.space.knob("audio_policy").type == tuner::KnobType::categorical);
}

TEST_CASE("a --knobs list naming a knob that does not exist or cannot be tuned here is refused with the reason",
          "[tune]") {
  const std::vector<Unavailable> refused{{"base_slice_ns", "debugfs: Operation not permitted"}};
  CHECK_THROWS_WITH(tune_space(manifest("eevdf"), refused, workload("frames"), {"no_such_knob"}),
                    Catch::Contains("no knob 'no_such_knob'"));
  CHECK_THROWS_WITH(tune_space(manifest("eevdf"), refused, workload("frames"), {"base_slice_ns"}),
                    Catch::Contains("Operation not permitted"));
}

TEST_CASE("bounds of --subject-to: absolute and baseline-relative bounds, anything else names the form", "[tune]") {
  const auto relative = parse_bound("fps.avg >= 0.97*baseline");
  CHECK(relative.metric == "fps.avg");
  CHECK(relative.at_least);
  CHECK(relative.relative);
  CHECK(relative.factor == Approx(0.97));
  const auto absolute = parse_bound("rps.avg<=1e4");
  CHECK_FALSE(absolute.at_least);
  CHECK_FALSE(absolute.relative);
  CHECK(absolute.factor == Approx(1e4));
  CHECK(parse_bound("time_s <= baseline").relative);
  CHECK_THROWS_AS(parse_bound("fps.avg > 3"), UsageError);
  CHECK_THROWS_AS(parse_bound("fps.avg >= lots"), UsageError);
}
