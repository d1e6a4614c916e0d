// The manifests of the upstream Rust schedulers against the real binaries' --help: every
// knob's flags exist and agree in kind, default and choices, and every real option without a
// knob is on an explicit list that says why, so a new upstream option fails this test until
// someone decides. The help texts are $SCXLAB_SCX_DIR/help/<name>.txt (a directory laid out
// like the VM lab's scx-rust fixture: bin/, lib/, help/); unset, the test is skipped.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>

#include "catch.hpp"
#include "clap_help.hpp"
#include "schedulers/scheduler.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::builtin_manifest;
using scxlab::schedulers::test::ClapOption;
using scxlab::schedulers::test::parse_clap_help;
using scxlab::schedulers::test::read_text;

namespace {

// Why an option is no knob. One reason per flag, true for every scheduler that has it.
const std::map<std::string, std::string> kWhyNoKnob = {
    {"--help", "prints help and exits"},
    {"--version", "prints the version and exits"},
    {"--help-stats", "describes the statistics and exits"},
    {"--verbose", "log verbosity only (a no-op in some)"},
    {"--log-level", "log verbosity only"},
    {"--run-id", "a label for the log"},
    {"--stats", "prints statistics; scxlab reads the stats socket itself"},
    {"--monitor", "monitor mode: the scheduler is not launched"},
    {"--monitor-sched-samples", "monitor mode: lavd prints samples and never attaches (main.rs:1133)"},
    {"--exit-dump-len", "size of the debug dump on an error exit, no scheduling effect"},
    {"--debug", "BPF debug messages to trace_pipe, no scheduling effect"},
    {"--relaxed-maps", "libbpf loading option, no scheduling effect"},
    {"--pin-root-path", "libbpf loading option, no scheduling effect"},
    {"--kconfig", "libbpf loading option (kernel config values), no scheduling effect"},
    {"--btf-custom-path", "libbpf loading option, no scheduling effect"},
    {"--bpf-token-path", "libbpf loading option, no scheduling effect"},
    {"--eager-load-balance", "deprecated: its BPF setting is never read"},
    {"--wakeup-lb-busy", "deprecated: its BPF setting is never read"},
    {"--greedy-idle-disable", "deprecated: never read"},
    {"--interactive-fifo", "deprecated: never read"},
    {"--interactive-dsq", "deprecated: never read"},
    {"--select-idle-in-enqueue", "deprecated: never read"},
    {"--lb-mode", "deprecated: never read"},
    {"--avoid-smt", "deprecated: never read"},
    {"--no-deferred-wakeup", "deprecated: never read"},
};

std::set<std::string> with_libbpf_options(std::set<std::string> flags) {
  flags.insert({"--relaxed-maps", "--pin-root-path", "--kconfig", "--btf-custom-path", "--bpf-token-path"});
  return flags;
}

// The real options of each scheduler (scx 7a58a3a1) that have no knob.
const std::map<std::string, std::set<std::string>> kNoKnob = {
    {"scx_lavd", with_libbpf_options({"--help", "--version", "--help-stats", "--verbose", "--log-level", "--run-id",
                                      "--stats", "--monitor", "--monitor-sched-samples"})},
    {"scx_rusty",
     with_libbpf_options({"--help", "--version", "--help-stats", "--verbose", "--stats", "--monitor", "--exit-dump-len"})},
    {"scx_bpfland", with_libbpf_options({"--help", "--version", "--help-stats", "--verbose", "--stats", "--monitor",
                                         "--exit-dump-len", "--debug"})},
    {"scx_flash", with_libbpf_options({"--help", "--version", "--help-stats", "--verbose", "--stats", "--monitor",
                                       "--exit-dump-len", "--debug"})},
    {"scx_p2dq", with_libbpf_options({"--help", "--version", "--verbose", "--log-level", "--run-id", "--stats",
                                      "--monitor", "--eager-load-balance", "--wakeup-lb-busy", "--greedy-idle-disable",
                                      "--interactive-fifo", "--interactive-dsq", "--select-idle-in-enqueue",
                                      "--lb-mode"})},
    {"scx_cosmos", with_libbpf_options({"--help", "--version", "--help-stats", "--verbose", "--stats", "--monitor",
                                        "--exit-dump-len", "--avoid-smt", "--no-deferred-wakeup"})},
};

// Knobs whose default upstream computes from the host's topology: the manifest gives none
// (its meaning says how), the help shows the build host's.
const std::set<std::pair<std::string, std::string>> kHostDefaults = {
    {"scx_p2dq", "--min-llc-runs-pick2"},
    {"scx_p2dq", "--llc-shards"},
};

bool is_number_type(const Knob& k) { return is_numeric(k.type); }

// How the option must look in the help for the knob's type.
void check_kind(const Knob& k, const ClapOption& o) {
  using Value = ClapOption::Value;
  if (k.type == KnobKind::flag) {
    CHECK(o.value != Value::required);  // --x, or --x[=<X>] whose value may be left out
    CHECK_FALSE(o.multiple);
  } else if (k.type == KnobKind::bool_eq) {
    CHECK(o.value == Value::optional);
  } else {
    CHECK(o.value == Value::required);
  }
  if (k.type == KnobKind::bool_value) CHECK(o.possible_values == std::vector<std::string>{"true", "false"});
  if (o.multiple && o.value == Value::required) CHECK(k.repeat);  // --x <X>...: several values
}

void check_default(const std::string& scheduler, const Knob& k, const ClapOption& o) {
  if (k.type == KnobKind::flag) {
    CHECK_FALSE(o.default_value.has_value());  // absent is false, as the manifest's default says
    return;
  }
  if (kHostDefaults.count({scheduler, k.flag})) {
    CHECK(k.default_value.empty());
    return;
  }
  const std::string upstream = o.default_value.value_or("");
  if (k.default_value.empty() || upstream.empty()) {
    CHECK(k.default_value == upstream);
  } else if (is_number_type(k)) {
    CHECK(std::stod(k.default_value) == std::stod(upstream));
  } else {
    CHECK(k.default_value == upstream);
  }
}

void check_knob(const std::string& scheduler, const Knob& k, const std::map<std::string, ClapOption>& help) {
  INFO(scheduler << " knob " << k.name << " (" << k.flag << ")");
  const auto it = help.find(k.flag);
  REQUIRE(it != help.end());
  const ClapOption& o = it->second;
  CHECK(k.short_flag == o.short_flag);
  check_kind(k, o);
  check_default(scheduler, k, o);
  // A free-form upstream option (a String that also takes keywords) lists no values; then
  // its source, not the help, is the authority for the choices.
  if (k.type == KnobKind::choice && !o.possible_values.empty()) {
    CHECK(std::set<std::string>(k.choices.begin(), k.choices.end()) ==
          std::set<std::string>(o.possible_values.begin(), o.possible_values.end()));
  }
}

std::set<std::string> difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::set<std::string> options_without_knob(const Manifest& m, const std::map<std::string, ClapOption>& help) {
  std::set<std::string> flags;
  for (const auto& [flag, option] : help) flags.insert(flag);
  for (const auto& k : m.knobs) flags.erase(k.flag);
  return flags;
}

}  // namespace

TEST_CASE("clap's help format: flags, value forms, defaults and possible values") {
  const auto help = parse_clap_help(R"(Usage: x [OPTIONS]

Options:
  -s, --slice-us <SLICE_US>
          Maximum slice

          [default: 1000]

      --partial
          Only SCHED_EXT tasks

      --mode <MODE>
          Mode

          Possible values:
          - default:     Default mode
          - efficiency:  Little cores

          [default: default]

      --task-slice <TASK_SLICE>
          [default: false]
          [possible values: true, false]

  -C, --cpumasks <CPUMASKS>...
          One per domain

      --order <ORDER>
          [default: ""]

  -v, --verbose...
          More logs

Topology Options:
      --virt-llc[=<VIRT_LLC>]
          Examples: --virt-llc=2-8
          --virt-llc        (use default range)
)");
  REQUIRE(help.size() == 8);
  CHECK(help.at("--slice-us").short_flag == "-s");
  CHECK(help.at("--slice-us").value == ClapOption::Value::required);
  CHECK(help.at("--slice-us").default_value == "1000");
  CHECK(help.at("--partial").value == ClapOption::Value::none);
  CHECK_FALSE(help.at("--partial").default_value.has_value());
  CHECK(help.at("--mode").possible_values == std::vector<std::string>{"default", "efficiency"});
  CHECK(help.at("--mode").default_value == "default");
  CHECK(help.at("--task-slice").possible_values == std::vector<std::string>{"true", "false"});
  CHECK(help.at("--cpumasks").multiple);
  CHECK(help.at("--order").default_value == "");
  CHECK(help.at("--verbose").value == ClapOption::Value::none);
  CHECK(help.at("--verbose").multiple);
  CHECK(help.at("--virt-llc").value == ClapOption::Value::optional);
  CHECK_THROWS_WITH(parse_clap_help("Options:\n  -s, --slice <A> <B>\n"), Catch::Contains("--slice <A> <B>"));
}

TEST_CASE("the upstream schedulers' manifests match their real --help") {
  const char* dir = std::getenv("SCXLAB_SCX_DIR");
  if (!dir || !*dir) {
    // The marker makes CTest report the test as skipped (SKIP_REGULAR_EXPRESSION).
    std::cout << "SCXLAB-SKIPPED: SCXLAB_SCX_DIR is not set, so the manifests were not checked against the real "
                 "scx schedulers' --help (set it to a directory with help/<scheduler>.txt, like the VM lab's "
                 "scx-rust fixture)"
              << std::endl;
    return;
  }
  for (const auto& [name, expected_without_knob] : kNoKnob) {
    INFO(name);
    const auto file = std::filesystem::path(dir) / "help" / (name + ".txt");
    REQUIRE(std::filesystem::is_regular_file(file));
    const auto help = parse_clap_help(read_text(file.string()));
    REQUIRE(help.size() > 10);
    const Manifest& m = builtin_manifest(name);
    for (const auto& k : m.knobs) check_knob(name, k, help);
    const auto without_knob = options_without_knob(m, help);
    // A new upstream option lands here: make it a knob, or add it to kNoKnob with a reason.
    CHECK(difference(without_knob, expected_without_knob) == std::set<std::string>{});
    // An option that upstream dropped or that became a knob: take it off kNoKnob.
    CHECK(difference(expected_without_knob, without_knob) == std::set<std::string>{});
    for (const auto& flag : expected_without_knob) CHECK(kWhyNoKnob.count(flag) == 1);
  }
}
