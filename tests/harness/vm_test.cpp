// `scxlab shootout` on a real sched_ext kernel (the VM lab, one boot): the kernel default and
// scxlab's own schedulers in turn, surviving a scheduler the kernel ejects; SIGINT and SIGKILL
// of scxlab mid-trial leave the kernel default in charge, and the next start puts back a
// debugfs knob the killed run had written; a tune of scxlab_vtime. Correctness only: TCG timings mean nothing.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../vm/vm_support.hpp"
#include "catch.hpp"

using namespace scxlab::test;
namespace fs = std::filesystem;

namespace {

// Waits (bounded) until sched_ext reports `want`, then records it as key=value.
constexpr const char* kGuestScript = R"SH(
set -u
R=/results
wait_state() {  # $1 wanted state, $2 key
  i=0
  while [ "$(cat /sys/kernel/sched_ext/state)" != "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
  echo "$2=$(cat /sys/kernel/sched_ext/state)" >> $R/kv
}
slice=/sys/kernel/debug/sched/base_slice_ns
echo "slice_before=$(cat $slice)" >> $R/kv

scxlab shootout -s eevdf,scxlab_fifo,scxlab_vtime,scxlab_faulty:stall -w messaging:groups=2,loops=100 \
  -n 2 --warmup 0 -o $R/all -q > $R/all.log 2>&1
echo "all_rc=$?" >> $R/kv
wait_state disabled all_state

scxlab shootout -s scxlab_vtime -w command:/host/signal.toml:signal=INT -n 1 --warmup 0 -o $R/int -q \
  > $R/int.log 2>&1
echo "int_rc=$?" >> $R/kv
wait_state disabled int_state

scxlab shootout -s scxlab_vtime -w command:/host/signal.toml:signal=KILL -n 1 --warmup 0 -o $R/kill -q \
  > $R/kill.log 2>&1
echo "kill_rc=$?" >> $R/kv
wait_state disabled kill_state

scxlab shootout -s eevdf:base_slice_ns=5000000 -w command:/host/signal.toml:signal=KILL -n 1 --warmup 0 \
  -o $R/knob -q > $R/knob.log 2>&1
echo "knob_rc=$?" >> $R/kv
echo "slice_after_kill=$(cat $slice)" >> $R/kv
scxlab shootout -s eevdf -w messaging:groups=1,loops=20 -n 1 --warmup 0 -o $R/next -q > $R/next.log 2>&1
echo "next_rc=$?" >> $R/kv
echo "slice_after_next=$(cat $slice)" >> $R/kv
scxlab restore > $R/restore.log 2>&1
echo "restore_rc=$?" >> $R/kv

scxlab tune -s scxlab_vtime -w messaging:groups=1,loops=50 -n 5 --validate-reps 5 --seed 5 -q -o $R/tune \
  > $R/tune.log 2>&1
echo "tune_rc=$?" >> $R/kv
wait_state disabled tune_state
)SH";

// A command workload that records what serves it, then signals its parent, scxlab.
constexpr const char* kSignalWorkload = R"TOML(
name = "signal-parent"
summary = "records the sched_ext state, then sends a signal to scxlab (the parent) once"
command = "cat /sys/kernel/sched_ext/state > /results/{signal}.during; grep -c 'ext.enabled *: *1' /proc/self/sched >> /results/{signal}.during; kill -{signal} $PPID; echo 'value 1'"
[[param]]
name = "signal"
type = "enum"
choices = ["INT", "KILL"]
default = "INT"
help = "the signal"
[[metric]]
name = "value"
unit = "count"
direction = "informational"
regex = 'value ([0-9]+)'
)TOML";

std::vector<std::string> statuses(const fs::path& results_json) {
  const auto doc = nlohmann::json::parse(read_file(results_json));
  std::vector<std::string> out;
  for (const auto& t : doc.at("trials")) out.push_back(t.at("scheduler").get<std::string>() + " " + t.at("status").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("a shootout on sched_ext: schedulers in turn, an ejection survived, SIGINT and SIGKILL restored",
          "[vm]") {
  for (const char* name : {"scxlab_fifo", "scxlab_vtime", "scxlab_faulty"}) {
    INFO(name << " is not built: see the CMake warning (it needs scripts/vm/vm.sh fetch)");
    REQUIRE(fs::exists(build_path(name)));
  }
  TempDir dir;
  std::ofstream(dir.path() / "signal.toml") << kSignalWorkload;
  std::ofstream(dir.path() / "check.sh") << kGuestScript;
  const auto run = vm_run({"--timeout", "900", "--file", (dir.path() / "signal.toml").string(), "--file",
                           (dir.path() / "check.sh").string()},
                          {"sh", "/host/check.sh"}, dir.path() / "results");
  const auto& r = run.results;
  const auto kv = read_key_values(r / "kv");
  INFO("vm.sh: " << run.err << "\nguest: " << run.out << "\nall.log:\n" << read_file(r / "all.log")
                 << "\nint.log:\n" << read_file(r / "int.log") << "\nknob.log:\n" << read_file(r / "knob.log"));
  REQUIRE(run.exit_code == 0);

  // Every scheduler served its trials; the faulty one was ejected with the kernel's reason
  // and the run went on.
  CHECK(kv.at("all_rc") == "0");
  CHECK(kv.at("all_state") == "disabled");
  for (const auto& s : statuses(r / "all" / "results.json")) {
    INFO(s);
    if (s.rfind("scxlab_faulty", 0) == 0) {
      CHECK(s == "scxlab_faulty:stall ejected");
    } else {
      CHECK(s.substr(s.find(' ')) == " ok");
    }
  }
  CHECK_THAT(read_file(r / "all" / "results.json"), Catch::Contains("runnable task stall"));

  // SIGINT mid-trial while scxlab_vtime served the workload: exit 130, scheduler stopped.
  CHECK(read_file(r / "INT.during") == "enabled\n1\n");
  CHECK(kv.at("int_rc") == "130");
  CHECK(kv.at("int_state") == "disabled");

  // SIGKILL: the scheduler dies with scxlab (PR_SET_PDEATHSIG), the kernel default is back.
  CHECK(kv.at("kill_rc") == "137");
  CHECK(kv.at("kill_state") == "disabled");

  // A debugfs knob written by a killed run is put back by the next start, from the journal.
  CHECK(kv.at("knob_rc") == "137");
  CHECK(kv.at("slice_after_kill") == "5000000");
  CHECK(kv.at("next_rc") == "0");
  CHECK(kv.at("slice_after_next") == kv.at("slice_before"));
  CHECK_THAT(read_file(r / "next.log"), Catch::Contains("restored after an earlier run"));
  CHECK(kv.at("restore_rc") == "0");
  CHECK_THAT(read_file(r / "restore.log"), Catch::Contains("nothing to restore"));

  // A tune of scxlab_vtime's knobs: every evaluation served by scxlab_vtime, a verdict written.
  INFO("tune.log:\n" << read_file(r / "tune.log"));
  CHECK(kv.at("tune_rc") == "0");
  CHECK(kv.at("tune_state") == "disabled");
  const auto tune = nlohmann::json::parse(read_file(r / "tune" / "results.json"));
  int evaluations = 0;
  for (const auto& t : tune.at("trials")) {
    CHECK(t.at("status") == "ok");
    CHECK(t.at("scheduler_config").at("name") == "scxlab_vtime");
    evaluations += t.at("kind") == "tune";
  }
  CHECK(evaluations == 5);
  CHECK_THAT(read_file(r / "tune" / "recommendation.toml"), Catch::Contains("scheduler = 'scxlab_vtime'"));
}
