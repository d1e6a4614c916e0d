// `scxlab gate` on a real sched_ext kernel (the VM lab, one boot): scxlab_vtime against a
// deliberately slowed build of itself (the BPF object built with SCXLAB_VTIME_DELAY_NS, which
// busy-waits at every task start), given as `scxlab_vtime=<object>`, interleaved in one run.
// The gate must end with exit 1 and name the metric. A slowdown this large survives TCG's
// noise; the test asserts the verdict, never a timing.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../vm/vm_support.hpp"
#include "catch.hpp"

using namespace scxlab::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kGuestScript = R"SH(
set -u
R=/results
scxlab gate --candidate scxlab_vtime=/host/slow.bpf.o --baseline scxlab_vtime \
  -w messaging:groups=2,loops=50 --metrics time_s -n 5 --max-reps 16 --warmup 0 --seed 7 \
  --store $R/store.db -o $R/gate -q > $R/gate.log 2>&1
echo "gate_rc=$?" >> $R/kv
echo "state=$(cat /sys/kernel/sched_ext/state)" >> $R/kv
)SH";

}  // namespace

TEST_CASE("a gate of scxlab_vtime against a slowed build of it ends in exit 1 naming the metric", "[vm][gate]") {
  const auto slow = build_path("bpf/sched/scxlab_vtime_slow_bpf.bpf.o");
  INFO("the slowed build is missing: it is built with test_harness when scxlab_vtime is (scripts/vm/vm.sh fetch)");
  REQUIRE(fs::exists(slow));
  REQUIRE(fs::exists(build_path("scxlab_vtime")));
  TempDir dir;
  fs::copy_file(slow, dir.path() / "slow.bpf.o");
  std::ofstream(dir.path() / "gate.sh") << kGuestScript;
  const auto run = vm_run({"--timeout", "600", "--file", (dir.path() / "slow.bpf.o").string(), "--file",
                           (dir.path() / "gate.sh").string()},
                          {"sh", "/host/gate.sh"}, dir.path() / "results");
  const auto& r = run.results;
  const auto kv = read_key_values(r / "kv");
  INFO("vm.sh: " << run.err << "\nguest: " << run.out << "\ngate.log:\n" << read_file(r / "gate.log"));
  REQUIRE(run.exit_code == 0);
  CHECK(kv.at("gate_rc") == "1");
  CHECK(kv.at("state") == "disabled");  // the kernel default is back

  const auto gate = nlohmann::json::parse(read_file(r / "gate" / "gate.json"));
  CHECK(gate.at("outcome") == "regression");
  CHECK(gate.at("exit_code") == 1);
  REQUIRE(gate.at("verdicts").size() == 1);
  const auto& v = gate.at("verdicts")[0];
  CHECK(v.at("metric") == "time_s");
  CHECK(v.at("verdict") == "regression");
  CHECK(v.at("change_low").get<double>() > 0.03);  // the whole interval beyond the threshold
  CHECK_THAT(read_file(r / "gate" / "summary.md"), Catch::StartsWith("## ❌ scxlab gate: regression"));
  CHECK_THAT(read_file(r / "gate" / "junit.xml"), Catch::Contains("<failure type=\"regression\" message=\"time_s"));
  CHECK_THAT(read_file(r / "gate" / "report.html"), Catch::Contains("data-outcome=\"regression\""));

  // Every trial ran: the candidate from the slowed object, the baseline from the built-in one.
  const auto results = nlohmann::json::parse(read_file(r / "gate" / "results.json"));
  for (const auto& t : results.at("trials")) {
    INFO(t.dump());
    CHECK(t.at("status") == "ok");
    const auto& config = t.at("scheduler_config");
    if (t.at("scheduler") == "candidate") {
      CHECK(config.at("binary") == "/host/slow.bpf.o");
    } else {
      CHECK_FALSE(config.contains("binary"));
    }
  }
  CHECK(fs::exists(r / "store.db"));  // recorded for history
}
