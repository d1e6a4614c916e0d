// Never a number under the wrong name, on a real sched_ext kernel (the VM lab, one boot): a
// BPF scheduler that scxlab did not start stops a run before anything is written, naming it
// and its process; a scheduler loaded and unloaded during a trial of the kernel default fails
// that trial, which is never counted. The "foreign" scheduler is the kernel's own scx_simple
// (vm.sh examples), started by hand.
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
wait_state() {  # $1 wanted state: bounded, TCG is slow
  i=0
  while [ "$(cat /sys/kernel/sched_ext/state)" != "$1" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
}
scx_simple > $R/simple.log 2>&1 &
pid=$!
wait_state enabled
echo "simple_pid=$pid" >> $R/kv
scxlab shootout -s eevdf,scx_pair -w messaging:groups=1,loops=20 -n 1 --warmup 0 -o $R/refused > $R/refused.log 2>&1
echo "refused_rc=$?" >> $R/kv
[ -e $R/refused ] && echo "refused_dir=written" >> $R/kv || echo "refused_dir=absent" >> $R/kv
scxlab tune -s eevdf -w messaging:groups=1,loops=20 -n 3 -o $R/refused-tune > $R/refused-tune.log 2>&1
echo "refused_tune_rc=$?" >> $R/kv
echo "simple_state=$(cat /sys/kernel/sched_ext/state)" >> $R/kv
kill -INT $pid
wait $pid
wait_state disabled

scxlab shootout -s eevdf -w command:/host/displace.toml -w messaging:groups=1,loops=20 -n 2 --warmup 0 \
  -o $R/displaced > $R/displaced.log 2>&1
echo "displaced_rc=$?" >> $R/kv
echo "state_after=$(cat /sys/kernel/sched_ext/state)" >> $R/kv
)SH";

// A command workload that loads and unloads another scheduler while the trial runs.
constexpr const char* kDisplaceWorkload = R"TOML(
name = "displace"
summary = "starts scx_simple, waits until it serves, stops it: another scheduler served part of the trial"
command = "scx_simple >/dev/null 2>&1 & p=$!; while [ \"$(cat /sys/kernel/sched_ext/state)\" != enabled ]; do sleep 0.1; done; kill -INT $p; wait $p; echo 'value 1'"
[[metric]]
name = "value"
unit = "count"
direction = "informational"
regex = 'value ([0-9]+)'
)TOML";

}  // namespace

TEST_CASE("a scheduler scxlab did not start stops the run before anything is written, and one that served during a "
          "trial of the kernel default fails that trial",
          "[vm]") {
  INFO("the kernel's example schedulers are not built: scripts/vm/vm.sh examples");
  REQUIRE(fs::exists(vm_examples_dir() / "bin" / "scx_simple"));
  TempDir dir;
  std::ofstream(dir.path() / "displace.toml") << kDisplaceWorkload;
  std::ofstream(dir.path() / "check.sh") << kGuestScript;
  const auto run = vm_run({"--timeout", "900", "--file", (dir.path() / "displace.toml").string(), "--file",
                           (dir.path() / "check.sh").string()},
                          {"sh", "/host/check.sh"}, dir.path() / "results");
  const auto& r = run.results;
  const auto kv = read_key_values(r / "kv");
  INFO("vm.sh: " << run.err << "\nguest: " << run.out << "\nrefused.log:\n" << read_file(r / "refused.log")
                 << "\nrefused-tune.log:\n" << read_file(r / "refused-tune.log") << "\ndisplaced.log:\n"
                 << read_file(r / "displaced.log"));
  REQUIRE(run.exit_code == 0);

  // Refused before any trial, in one line naming the ops, its process and how to stop it.
  const std::string refused = read_file(r / "refused.log");
  CHECK(kv.at("refused_rc") == "2");
  CHECK(kv.at("refused_dir") == "absent");
  CHECK(std::count(refused.begin(), refused.end(), '\n') == 1);
  CHECK_THAT(refused, Catch::Contains("ops 'simple'") && Catch::Contains("scx_simple (pid " + kv.at("simple_pid")) &&
                          Catch::Contains("kill -INT " + kv.at("simple_pid")));
  CHECK(kv.at("refused_tune_rc") == "2");
  CHECK_THAT(read_file(r / "refused-tune.log"), Catch::Contains("ops 'simple'"));
  CHECK(kv.at("simple_state") == "enabled");  // scxlab left the foreign scheduler alone

  // The trials during which scx_simple served are failed with that reason and not counted;
  // the other workload's trials are ok.
  CHECK(kv.at("displaced_rc") == "0");
  CHECK(kv.at("state_after") == "disabled");
  const auto doc = nlohmann::json::parse(read_file(r / "displaced" / "results.json"));
  int displaced = 0, ok = 0;
  for (const auto& t : doc.at("trials")) {
    INFO(t.dump());
    if (t.at("workload").get<std::string>().find("displace") != std::string::npos) {
      CHECK(t.at("status") == "failed");
      CHECK_THAT(t.at("reason").get<std::string>(),
                 Catch::Contains("another scheduler served during the trial") && Catch::Contains("enable_seq"));
      ++displaced;
    } else {
      CHECK(t.at("status") == "ok");
      ++ok;
    }
  }
  CHECK(displaced == 2);
  CHECK(ok == 2);
  CHECK_THAT(read_file(r / "displaced.log"), Catch::Contains("no trial counted in the statistics"));
}
