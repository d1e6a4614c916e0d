#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "catch.hpp"
#include "schedulers/scheduler.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::builtin_manifest;
using scxlab::schedulers::test::builtin_manifests;

namespace {

std::vector<std::string> args_of(const std::string& scheduler, std::map<std::string, std::string> knobs) {
  return build_args(builtin_manifest(scheduler), Config{scheduler, scheduler, "", std::move(knobs), {}});
}

std::string error_of(const std::string& scheduler, std::map<std::string, std::string> knobs) {
  try {
    args_of(scheduler, std::move(knobs));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the three boolean styles build their own argument forms") {
  // flag: present when true, absent when false.
  CHECK(args_of("scx_lavd", {{"no_preemption", "true"}}) == std::vector<std::string>{"--no-preemption"});
  CHECK(args_of("scx_lavd", {{"no_preemption", "false"}}).empty());
  // bool_value: an explicit value either way.
  CHECK(args_of("scx_p2dq", {{"task_slice", "true"}}) == std::vector<std::string>{"--task-slice", "true"});
  CHECK(args_of("scx_p2dq", {{"fork_balance", "off"}}) == std::vector<std::string>{"--fork-balance", "false"});
  // bool_eq: --flag=value (clap require_equals).
  CHECK(args_of("scx_layered", {{"disable_topology", "false"}}).at(1) == "--disable-topology=false");
  CHECK(args_of("scx_layered", {{"disable_topology", "1"}}).at(1) == "--disable-topology=true");
  CHECK_THAT(error_of("scx_lavd", {{"no_preemption", "maybe"}}), Catch::Contains("no_preemption='maybe' is not a boolean"));
}

TEST_CASE("numbers, enums and C-style short flags") {
  CHECK(args_of("scx_lavd", {{"slice_max_us", "8000"}}) == std::vector<std::string>{"--slice-max-us", "8000"});
  CHECK(args_of("scx_simple", {{"fifo", "true"}}) == std::vector<std::string>{"-f"});
  CHECK(args_of("scx_flatcg", {{"slice_us", "5000.5"}}) == std::vector<std::string>{"-s", "5000.5"});
  CHECK(args_of("scx_bpfland", {{"idle_resume_us", "-1"}}) == std::vector<std::string>{"--idle-resume-us", "-1"});
  CHECK(args_of("scx_p2dq", {{"sched_mode", "efficiency"}}) == std::vector<std::string>{"--sched-mode", "efficiency"});
  CHECK_THAT(error_of("scx_lavd", {{"preempt_shift", "11"}}),
             Catch::Contains("preempt_shift=11 is outside its range [0, 10]") && Catch::Contains("fix:"));
  CHECK_THAT(error_of("scx_lavd", {{"slice_max_us", "-5"}}), Catch::Contains("slice_max_us=-5 is outside"));
  CHECK_THAT(error_of("scx_lavd", {{"slice_max_us", "5ms"}}), Catch::Contains("not an integer"));
  CHECK_THAT(error_of("scx_p2dq", {{"sched_mode", "turbo"}}),
             Catch::Contains("not one of its choices") && Catch::Contains("default, performance, efficiency"));
  CHECK_THAT(error_of("scx_lavd", {{"slice_maximum", "1"}}), Catch::Contains("no knob named 'slice_maximum'"));
}

TEST_CASE("exclusive groups allow one member") {
  CHECK(args_of("scx_lavd", {{"performance", "true"}, {"powersave", "false"}}) ==
        std::vector<std::string>{"--performance"});
  CHECK_THAT(error_of("scx_lavd", {{"performance", "true"}, {"powersave", "true"}}),
             Catch::Contains("performance and powersave are mutually exclusive (group 'power_mode')"));
  CHECK_THAT(error_of("scx_rusty", {{"cache_level", "2"}, {"cpumasks", "0x3"}}), Catch::Contains("group 'domains'"));
}

TEST_CASE("every constraint is checked, with defaults filling the knobs not set") {
  // lavd: slice_min_us <= slice_max_us; pinned 0 (off) or inside [min, max].
  CHECK_THAT(error_of("scx_lavd", {{"slice_min_us", "6000"}}),
             Catch::Contains("slice_min_us <= slice_max_us") && Catch::Contains("slice_max_us=5000 (default)"));
  CHECK_THAT(error_of("scx_lavd", {{"pinned_slice_us", "300"}}),
             Catch::Contains("pinned_slice_us=300") && Catch::Contains("set pinned_slice_us to 0 (off)"));
  CHECK(args_of("scx_lavd", {{"pinned_slice_us", "0"}, {"slice_min_us", "100"}}).size() == 4);
  CHECK(args_of("scx_lavd", {{"pinned_slice_us", "800"}, {"slice_min_us", "800"}, {"slice_max_us", "800"}}).size() == 6);
  CHECK_THAT(error_of("scx_lavd", {{"no_core_compaction", "true"}, {"balanced", "true"}}),
             Catch::Contains("no_core_compaction conflicts"));
  CHECK(args_of("scx_lavd", {{"no_core_compaction", "true"}, {"performance", "true"}}).size() == 2);
  // rusty: cross-NUMA greedy stealing needs greedy stealing.
  CHECK_THAT(error_of("scx_rusty", {{"greedy_threshold", "0"}, {"greedy_threshold_x_numa", "2"}}),
             Catch::Contains("greedy_threshold_x_numa == 0 || greedy_threshold > 0"));
  // p2dq: the initial DSQ must exist, and every DSQ needs its own slice.
  CHECK_THAT(error_of("scx_p2dq", {{"init_dsq_index", "3"}}), Catch::Contains("init_dsq_index < dumb_queues"));
  CHECK_THAT(error_of("scx_p2dq", {{"dumb_queues", "4"}}),
             Catch::Contains("dumb_queues == count(dsq_time_slices)") &&
                 Catch::Contains("dsq_time_slices=500 2500 5000 (default)"));
  CHECK(args_of("scx_p2dq", {{"init_dsq_index", "3"}, {"dumb_queues", "4"}, {"dsq_time_slices", "250 500 2500 5000"}})
            .size() == 12);
  CHECK_THAT(error_of("scx_p2dq", {{"virt_llc", "true"}}), Catch::Contains("set virt_llc_enabled=true"));
  // cosmos: disable_smt only with an idle-scan mode.
  CHECK_THAT(error_of("scx_cosmos", {{"disable_smt", "true"}}), Catch::Contains("disable_smt"));
  CHECK(args_of("scx_cosmos", {{"disable_smt", "true"}, {"flat_idle_scan", "true"}}).size() == 2);
}

TEST_CASE("a repeated knob passes one option per item, and repeated options add up") {
  const auto& p2dq = builtin_manifest("scx_p2dq");
  const auto c = parse_config("scx_p2dq:dumb_queues=2,-t=1000,--dsq-time-slices 8000", builtin_manifests());
  CHECK(c.knobs == std::map<std::string, std::string>{{"dumb_queues", "2"}, {"dsq_time_slices", "1000 8000"}});
  const auto args = build_args(p2dq, c);
  CHECK(args == std::vector<std::string>{"--dumb-queues", "2", "--dsq-time-slices", "1000", "--dsq-time-slices", "8000"});
  CHECK(parse_args(p2dq, args) == c.knobs);
  CHECK(args_of("scx_rusty", {{"cpumasks", " 0x3  0xc "}}) ==
        std::vector<std::string>{"--cpumasks", "0x3", "--cpumasks", "0xc"});
  CHECK_THAT(error_of("scx_rusty", {{"cpumasks", "  "}}), Catch::Contains("cpumasks is empty"));
}

TEST_CASE("a preset's values can be overridden, and the result is checked") {
  const auto& lavd = builtin_manifest("scx_lavd");
  CHECK(build_args(lavd, Config{"scx_lavd", "x", "gaming", {{"pinned_slice_us", "1000"}}, {}}) ==
        std::vector<std::string>{"--performance", "--pinned-slice-us", "1000"});
  CHECK_THROWS_WITH(build_args(lavd, Config{"scx_lavd", "x", "server", {{"slice_max_us", "2000"}}, {}}),
                    Catch::Contains("slice_min_us <= slice_max_us"));
  CHECK_THROWS_WITH(build_args(lavd, Config{"scx_lavd", "x", "turbo", {}, {}}),
                    Catch::Contains("no preset 'turbo'") && Catch::Contains("gaming"));
}

TEST_CASE("parse_config reads a name, a preset, flags, knob=value and pass-through args") {
  const auto plain = parse_config("scx_lavd", builtin_manifests());
  CHECK(plain.scheduler == "scx_lavd");
  CHECK(plain.label == "scx_lavd");
  CHECK(plain.preset.empty());
  CHECK(plain.knobs.empty());

  const auto gaming = parse_config("scx_lavd:gaming", builtin_manifests());
  CHECK(gaming.preset == "gaming");
  CHECK(gaming.label == "scx_lavd:gaming");
  CHECK(build_args(builtin_manifest("scx_lavd"), gaming) == std::vector<std::string>{"--performance", "--pinned-slice-us", "500"});

  const auto flag = parse_config("scx_lavd:--slice-max-us=8000", builtin_manifests());
  CHECK(flag.knobs == std::map<std::string, std::string>{{"slice_max_us", "8000"}});

  const auto many = parse_config("scx_lavd:--slice-max-us 3000,--pinned-slice-us=0,--performance", builtin_manifests());
  CHECK(many.knobs == std::map<std::string, std::string>{
                          {"slice_max_us", "3000"}, {"pinned_slice_us", "0"}, {"performance", "true"}});

  const auto mixed = parse_config("scx_bpfland:server,slice_us=5000,-w,--,--verbose", builtin_manifests());
  CHECK(mixed.preset == "server");
  CHECK(mixed.knobs == std::map<std::string, std::string>{{"slice_us", "5000"}, {"no_wake_sync", "true"}});
  CHECK(mixed.extra_args == std::vector<std::string>{"--verbose"});
  CHECK(build_args(builtin_manifest("scx_bpfland"), mixed) ==
        std::vector<std::string>{"--slice-us", "5000", "--no-wake-sync", "--sticky-tasks", "--verbose"});

  CHECK(parse_config(default_scheduler_name(), builtin_manifests()).scheduler == "eevdf");
  CHECK(parse_config("eevdf:autogroup=0", builtin_manifests()).knobs.at("autogroup") == "0");
}

TEST_CASE("parse_config errors name the bad item and the fix") {
  CHECK_THROWS_WITH(parse_config("scx_lavvd", builtin_manifests()),
                    Catch::Contains("unknown scheduler 'scx_lavvd'") && Catch::Contains("scx_lavd"));
  CHECK_THROWS_WITH(parse_config("scx_lavd:gamer", builtin_manifests()),
                    Catch::Contains("'gamer' is neither a preset") && Catch::Contains("gaming"));
  CHECK_THROWS_WITH(parse_config("scx_lavd:--slice-max=3000", builtin_manifests()),
                    Catch::Contains("no knob has the flag '--slice-max'") && Catch::Contains("--slice-max-us"));
  CHECK_THROWS_WITH(parse_config("scx_lavd:--slice-max-us", builtin_manifests()), Catch::Contains("needs a value"));
  CHECK_THROWS_WITH(parse_config("scx_lavd:--performance=1", builtin_manifests()), Catch::Contains("takes no value"));
  CHECK_THROWS_WITH(parse_config("scx_lavd:--slice-max-us=400", builtin_manifests()),
                    Catch::Contains("slice_min_us <= slice_max_us"));
  // lavd's pinned slice defaults to 5000 us: a smaller slice_max_us alone makes lavd itself
  // refuse to start, so scxlab refuses the spec up front and says how to fix it.
  CHECK_THROWS_WITH(parse_config("scx_lavd:--slice-max-us=3000", builtin_manifests()),
                    Catch::Contains("pinned_slice_us=5000 (default)") && Catch::Contains("set pinned_slice_us to 0"));
}

TEST_CASE("binary=PATH names another build, made absolute and checked before anything runs", "[config]") {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("scxlab-binary-" + std::to_string(::getpid()));
  fs::create_directories(dir / "build");
  const auto exe = dir / "scx_lavd";
  std::ofstream(exe) << "#!/bin/sh\n";
  fs::permissions(exe, fs::perms::owner_all);
  fs::copy_file(exe, dir / "build" / "scx_lavd", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "plain") << "not a program";
  const auto& manifests = builtin_manifests();

  const auto c = parse_config("scx_lavd:binary=" + exe.string() + ",slice_max_us=8000", manifests);
  CHECK(c.binary == exe.string());
  CHECK(c.knobs.at("slice_max_us") == "8000");
  CHECK(resolve_binary(builtin_manifest("scx_lavd"), c.binary).path == exe.string());
  CHECK(resolve_binary(builtin_manifest("scx_lavd"), (dir / "build").string()).path == (dir / "build" / "scx_lavd").string());

  const auto error = [&](const std::string& spec) {
    try {
      parse_config(spec, manifests);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("scx_lavd:binary=" + (dir / "missing").string()), Catch::Contains("no such file or directory"));
  CHECK_THAT(error("scx_lavd:binary=" + (dir / "plain").string()), Catch::Contains("not an executable file"));
  CHECK_THAT(error("scx_lavd:binary="), Catch::Contains("binary= needs a path"));
  CHECK_THAT(error("eevdf:binary=" + exe.string()), Catch::Contains("the kernel's own scheduler"));
  CHECK_THAT(error("scx_rusty:binary=" + (dir / "build").string()), Catch::Contains("holds no executable scx_rusty"));
  fs::remove_all(dir);
}
