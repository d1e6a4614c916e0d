// The VM lab itself (scripts/vm/vm.sh run): it boots the cached sched_ext kernel, runs a
// command with files carried in, returns its output, exit status and result files, and ends
// a command that overstays its timeout.
#include <cstdlib>
#include <fstream>

#include "catch.hpp"
#include "vm_support.hpp"

using namespace scxlab::test;

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

TEST_CASE("vm.sh run boots the sched_ext kernel, carries files in and brings the exit status and results back", "[vm]") {
  const std::string kernel = vm_kernel_version();
  REQUIRE_FALSE(kernel.empty());  // else: sudo scripts/vm/vm.sh fetch
  TempDir dir;
  const auto input = dir.path() / "greeting.txt";
  std::ofstream(input) << "hello from the host\n";
  const auto results = dir.path() / "results";

  const VmRun run = vm_run({"--timeout", "120", "--file", input.string()},
                           {"sh", "-c",
                            "cat /host/greeting.txt; uname -r > /results/uname; "
                            "cat /sys/kernel/sched_ext/state > /results/state; exit 7"},
                           results);
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);

  CHECK(run.exit_code == 7);
  CHECK(run.out.find("hello from the host") != std::string::npos);
  CHECK(run.err.find("vm.sh: kernel " + kernel) != std::string::npos);
  CHECK(first_line(read_file(results / "uname")) == kernel);
  CHECK(first_line(read_file(results / "state")) == "disabled");
  CHECK(read_file(results / "kernel.log").find("Linux version " + kernel) != std::string::npos);
  CHECK(read_file(results / "console.log").find("hello from the host") != std::string::npos);
}

TEST_CASE("vm.sh run ends a command that outlives --timeout with status 124", "[vm]") {
  TempDir dir;
  const VmRun run = vm_run({"--timeout", "3"}, {"sleep", "3600"}, dir.path() / "results");
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);

  CHECK(run.exit_code == 124);
  CHECK(run.err.find("timed out after 3 s") != std::string::npos);
  // The guest still powered off cleanly and sent its kernel log.
  CHECK(std::filesystem::exists(dir.path() / "results" / "kernel.log"));
}
