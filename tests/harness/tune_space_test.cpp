// From a scheduler manifest to the tuner's search space, and back to a scheduler
// configuration; --subject-to bounds.
#include <algorithm>

#include "catch.hpp"
#include "harness/errors.hpp"
#include "harness/tune.hpp"
#include "harness/tune_space.hpp"

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

}  // namespace

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
