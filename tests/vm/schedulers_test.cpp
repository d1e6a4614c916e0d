// scxlab's own sched_ext schedulers (bpf/sched) in the VM: scxlab_fifo and scxlab_vtime load,
// serve (a task is on sched_ext, hackbench runs) and unload on SIGINT; scxlab_faulty gets
// ejected by the kernel and says why. One boot per test case: TCG is slow.
#include "catch.hpp"
#include "vm_support.hpp"

using namespace scxlab::test;

namespace {

const char* const kGuestScript = "/host/scheduler_check.sh";

// Runs each `checks` entry (a scheduler_check.sh command line) in one boot.
VmRun run_checks(const std::vector<std::vector<std::string>>& checks, const std::filesystem::path& results) {
  for (const char* name : {"scxlab_fifo", "scxlab_vtime", "scxlab_faulty"}) {
    INFO(name << " is not built: see the CMake warning (it needs scripts/vm/vm.sh fetch)");
    REQUIRE(std::filesystem::exists(build_path(name)));
  }
  std::string script;
  for (const auto& check : checks) {
    script += "sh";
    for (const auto& word : check) script += " '" + word + "'";
    script += "; ";
  }
  return vm_run({"--timeout", "600", "--file", source_path("tests/vm/guest/scheduler_check.sh").string()},
                {"sh", "-c", script}, results);
}

}  // namespace

TEST_CASE("scxlab_fifo and scxlab_vtime load, serve hackbench and unload on SIGINT", "[vm]") {
  TempDir dir;
  const auto results = dir.path() / "results";
  const VmRun run = run_checks({{kGuestScript, "fifo", "serve", "scxlab_fifo"},
                                {kGuestScript, "vtime", "serve", "scxlab_vtime", "--slice-us", "3000", "--lag-us",
                                 "10000", "--wakeup-preempt", "on", "--local-idle", "off"}},
                               results);
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);

  for (const std::string label : {"fifo", "vtime"}) {
    const std::string ops = "scxlab_" + label;
    INFO(ops << " saw:\n" << read_file(results / (label + ".txt")) << "\nits stderr:\n"
             << read_file(results / (label + ".stderr")));
    auto seen = read_key_values(results / (label + ".txt"));
    CHECK(seen["state_before"] == "disabled");
    CHECK(seen["state_serving"] == "enabled");
    CHECK(seen["ops_serving"] == ops);
    CHECK(std::stoll(seen["enable_seq_serving"]) == std::stoll(seen["enable_seq_before"]) + 1);
    CHECK(seen["task_ext_enabled"] == "1");
    CHECK(seen["hackbench_rc"] == "0");
    CHECK(seen["exit_rc"] == "0");
    CHECK(seen["state_after"] == "disabled");
    CHECK(read_file(results / (label + ".stderr")).find("EXIT: unregistered from user space") != std::string::npos);
    // The final counters show the scheduler really placed tasks.
    CHECK(read_file(results / (label + ".stdout")).find(ops + ": tasks_enabled=") != std::string::npos);
  }
  const std::string kernel_log = read_file(results / "kernel.log");
  CHECK(kernel_log.find("BPF scheduler \"scxlab_vtime\" enabled") != std::string::npos);
  CHECK(kernel_log.find("BPF scheduler \"scxlab_vtime\" disabled (unregistered from user space)") != std::string::npos);
}

TEST_CASE("scxlab_faulty is ejected by scx_bpf_error and by the watchdog, and reports the kernel's reason", "[vm]") {
  TempDir dir;
  const auto results = dir.path() / "results";
  const VmRun run = run_checks({{kGuestScript, "error", "eject", "scxlab_faulty", "--error-after", "200"},
                                {kGuestScript, "stall", "eject", "scxlab_faulty", "--stall-after", "200",
                                 "--timeout-ms", "1000"}},
                               results);
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);

  const std::string kernel_log = read_file(results / "kernel.log");
  const std::pair<std::string, std::string> cases[] = {
      {"error", "scx_bpf_error (injected error at enqueue 200)"},
      {"stall", "runnable task stall ("},
  };
  for (const auto& [label, reason] : cases) {
    INFO(label << " saw:\n" << read_file(results / (label + ".txt")) << "\nits stderr:\n"
               << read_file(results / (label + ".stderr")));
    auto seen = read_key_values(results / (label + ".txt"));
    CHECK(seen["exit_rc"] == "1");
    CHECK(seen["state_after"] == "disabled");
    CHECK(read_file(results / (label + ".stderr")).find("EXIT: " + reason) != std::string::npos);
  }
  CHECK(kernel_log.find("BPF scheduler \"scxlab_faulty\" disabled (scx_bpf_error)") != std::string::npos);
  CHECK(kernel_log.find("BPF scheduler \"scxlab_faulty\" disabled (runnable task stall)") != std::string::npos);
  CHECK(kernel_log.find("failed to run for") != std::string::npos);
}
