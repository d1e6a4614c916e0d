// scxlab against schedulers nobody on this project wrote, on a real sched_ext kernel (the VM
// lab): the kernel's own example schedulers (tools/sched_ext, built by `vm.sh examples`) and
// the real upstream scx Rust schedulers ($SCXLAB_SCX_DIR, laid out as bin/, lib/, help/). Each
// must start, serve, run a workload and stop with the machine as found, through the ordinary
// scx backend; one the verifier refuses is a failed start showing the verifier's last lines,
// and the run goes on. Correctness only: TCG timings mean nothing.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../vm/vm_support.hpp"
#include "catch.hpp"

using namespace scxlab::test;
namespace fs = std::filesystem;

namespace {

// "built NAME" lines of vm.sh examples' status file.
std::vector<std::string> built_examples() {
  std::vector<std::string> names;
  std::istringstream status(read_file(vm_examples_dir() / "status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("built ", 0) == 0) names.push_back(line.substr(6));
  }
  return names;
}

std::string joined(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::map<std::string, std::vector<nlohmann::json>> trials_by_scheduler(const fs::path& results_json) {
  std::map<std::string, std::vector<nlohmann::json>> by;
  const auto doc = nlohmann::json::parse(read_file(results_json));  // a temporary would dangle in the loop
  for (const auto& t : doc.at("trials")) {
    by[t.at("scheduler").get<std::string>()].push_back(t);
  }
  return by;
}

std::size_t scx_stats_metrics(const nlohmann::json& trial) {
  std::size_t n = 0;
  for (const auto& [name, value] : trial.at("metrics").items()) n += name.rfind("scx.", 0) == 0;
  return n;
}

// Shell lines that run a shootout into /results/NAME and record its exit code and the
// sched_ext state after it as NAME_rc= and NAME_state= in /results/kv.
std::string guest_shootout(const std::string& name, const std::string& args) {
  return "scxlab shootout " + args + " -o /results/" + name + " > /results/" + name + ".log 2>&1\n" +
         "echo \"" + name + "_rc=$?\" >> /results/kv\n" +
         "echo \"" + name + "_state=$(cat /sys/kernel/sched_ext/state)\" >> /results/kv\n";
}

}  // namespace

TEST_CASE("the kernel's own example schedulers run through the scx backend, a verifier refusal being a failed start",
          "[vm]") {
  INFO("the kernel's example schedulers are not built: scripts/vm/vm.sh examples (scripts/setup.sh --test runs it)");
  REQUIRE(fs::exists(vm_examples_dir() / "status"));
  const auto built = built_examples();
  INFO("vm.sh examples status:\n" << read_file(vm_examples_dir() / "status"));
  REQUIRE_FALSE(built.empty());

  TempDir dir;
  std::ofstream(dir.path() / "check.sh")
      << guest_shootout("examples", "-s eevdf," + joined(built, ",") +
                                        ",scxlab_faulty:verifier -w messaging:groups=1,loops=50 -n 1 --warmup 0")
      << "scxlab restore > /results/restore.log 2>&1\n";
  const auto run = vm_run({"--timeout", "1200", "--file", (dir.path() / "check.sh").string()}, {"sh", "/host/check.sh"},
                          dir.path() / "results");
  const auto& r = run.results;
  const auto kv = read_key_values(r / "kv");
  INFO("vm.sh: " << run.err << "\nexamples.log:\n" << read_file(r / "examples.log"));
  REQUIRE(run.exit_code == 0);
  CHECK(kv.at("examples_rc") == "0");          // the run went on past every failure
  CHECK(kv.at("examples_state") == "disabled");  // the kernel default is back
  CHECK_THAT(read_file(r / "restore.log"), Catch::Contains("nothing to restore"));

  auto by = trials_by_scheduler(r / "examples" / "results.json");
  std::vector<std::string> loaded, refused;
  for (const auto& name : built) {
    INFO(name);
    REQUIRE(by[name].size() == 1);
    const auto& t = by[name].front();
    if (t.at("status") == "ok") {
      CHECK(t.at("scheduler_config").at("name") == name);
      loaded.push_back(name);
    } else {
      // Only a start the kernel or libbpf refused is acceptable, with its own words.
      INFO(t.dump(2));
      CHECK(t.at("status") == "failed");
      CHECK_THAT(t.at("reason").get<std::string>(),
                 Catch::Contains("did not start serving") && Catch::Contains("libbpf"));
      refused.push_back(name);
    }
  }
  const auto& faulty = by["scxlab_faulty:verifier"].front();
  CHECK(faulty.at("status") == "failed");
  CHECK_THAT(faulty.at("reason").get<std::string>(),
             Catch::Contains("END PROG LOAD LOG") && Catch::Contains("prog 'faulty_enable': failed to load"));
  CHECK(by["eevdf"].front().at("status") == "ok");
  // Most of them load: a toolchain that breaks them all is a finding, not a pass.
  CHECK(loaded.size() * 2 > built.size());
  std::cout << "SCXLAB-NOTE: kernel example schedulers that served: " << joined(loaded, " ")
            << "; refused at load: " << (refused.empty() ? "none" : joined(refused, " ")) << "\n";
}

TEST_CASE("the real scx Rust schedulers, presets included, run through a shootout, a tune and a SIGKILL", "[vm]") {
  const char* scx_dir = std::getenv("SCXLAB_SCX_DIR");
  if (!scx_dir || !*scx_dir) {
    std::cout << "SCXLAB-SKIPPED: set SCXLAB_SCX_DIR to a directory of scx scheduler binaries (bin/, and lib/ "
                 "with its own loader if they need another glibc) to run this test\n";
    return;
  }
  const std::string configs =
      "scx_lavd,scx_lavd:gaming,scx_lavd:powersave,scx_rusty,scx_bpfland,scx_bpfland:lowlatency,scx_flash,"
      "scx_p2dq,scx_p2dq:gaming,scx_cosmos,scx_cosmos:gaming";
  TempDir dir;
  std::ofstream(dir.path() / "check.sh")
      << guest_shootout("rust", "-s " + configs + " -w messaging:groups=1,loops=50 -n 1 --warmup 0")
      << "scxlab shootout -s scx_lavd -w command:/host/signal.toml:signal=KILL -n 1 --warmup 0 -q -o /results/kill "
         "> /results/kill.log 2>&1\n"
      << "echo \"kill_rc=$?\" >> /results/kv\n"
      << "i=0; while [ \"$(cat /sys/kernel/sched_ext/state)\" != disabled ] && [ $i -lt 600 ]; do sleep 0.1; "
         "i=$((i+1)); done\n"  // the kernel unloads a killed scheduler's programs asynchronously
      << "echo \"kill_state=$(cat /sys/kernel/sched_ext/state)\" >> /results/kv\n"
      << "scxlab shootout -s eevdf -w messaging:groups=1,loops=20 -n 1 --warmup 0 -o /results/next -q "
         "> /results/next.log 2>&1\n"
      << "scxlab tune -s scx_lavd --knobs slice_max_us,preempt_shift -w messaging:groups=1,loops=50 -n 4 "
         "--validate-reps 5 --seed 3 -q -o /results/tune > /results/tune.log 2>&1\n"
      << "echo \"tune_rc=$?\" >> /results/kv\n";
  std::ofstream(dir.path() / "signal.toml") << R"TOML(
name = "signal-parent"
summary = "records what serves it, then sends a signal to scxlab (the parent) once"
command = "cat /sys/kernel/sched_ext/root/ops > /results/{signal}.during; kill -{signal} $PPID; echo 'value 1'"
[[param]]
name = "signal"
type = "enum"
choices = ["KILL"]
default = "KILL"
help = "the signal"
[[metric]]
name = "value"
unit = "count"
direction = "informational"
regex = 'value ([0-9]+)'
)TOML";
  const auto run = vm_run({"--timeout", "2400", "--scx-dir", scx_dir, "--file", (dir.path() / "check.sh").string(),
                           "--file", (dir.path() / "signal.toml").string()},
                          {"sh", "/host/check.sh"}, dir.path() / "results");
  const auto& r = run.results;
  const auto kv = read_key_values(r / "kv");
  INFO("vm.sh: " << run.err << "\nrust.log:\n" << read_file(r / "rust.log") << "\ntune.log:\n"
                 << read_file(r / "tune.log"));
  REQUIRE(run.exit_code == 0);

  // Every configuration served its trial; scx_stats metrics for those that serve them.
  CHECK(kv.at("rust_rc") == "0");
  CHECK(kv.at("rust_state") == "disabled");
  std::ostringstream note;
  for (const auto& [label, trials] : trials_by_scheduler(r / "rust" / "results.json")) {
    INFO(label);
    REQUIRE(trials.size() == 1);
    const auto& t = trials.front();
    INFO(t.dump(2));
    CHECK(t.at("status") == "ok");
    const std::string scheduler = label.substr(0, label.find(':'));
    CHECK(t.at("scheduler_config").at("name") == scheduler);
    if (scheduler == "scx_rusty" || scheduler == "scx_bpfland") CHECK(scx_stats_metrics(t) > 10);
    note << " " << label << " start " << t.at("scheduler_config").value("start_s", -1.0) << " s, "
         << scx_stats_metrics(t) << " scx_stats metrics;";
  }
  std::cout << "SCXLAB-NOTE: scx Rust schedulers in the VM:" << note.str() << "\n";

  // SIGKILL of scxlab while scx_lavd served: the scheduler died with it, and the next start
  // found the journal and replayed it.
  CHECK(read_file(r / "KILL.during").rfind("lavd_", 0) == 0);
  CHECK(kv.at("kill_rc") == "137");
  CHECK(kv.at("kill_state") == "disabled");
  CHECK_THAT(read_file(r / "next.log"), Catch::Contains("restored after an earlier run"));

  // A tune of two of scx_lavd's knobs: every evaluation ran (none refused by a constraint).
  CHECK(kv.at("tune_rc") == "0");
  int evaluations = 0;
  const auto tune = nlohmann::json::parse(read_file(r / "tune" / "results.json"));
  for (const auto& t : tune.at("trials")) {
    INFO(t.dump(2));
    CHECK(t.at("status") == "ok");
    evaluations += t.at("kind") == "tune";
  }
  CHECK(evaluations == 4);
}
