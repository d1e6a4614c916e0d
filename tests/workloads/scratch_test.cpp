// Scratch directories: private, removed with the run, and those of killed runs swept later.
#include <cstdlib>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "workloads/child.hpp"

namespace fs = std::filesystem;

namespace {

pid_t a_dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return pid;
}

}  // namespace

TEST_CASE("a scratch directory goes with its run, a killed run's is removed by the next one") {
  char base_template[] = "/tmp/scxlab-scratch-test-XXXXXX";
  const fs::path base = mkdtemp(base_template);
  setenv("TMPDIR", base.c_str(), 1);
  const auto orphan = base / ("scxlab-run-" + std::to_string(a_dead_pid()) + "-abcdef");
  const auto alive = base / ("scxlab-run-" + std::to_string(getpid()) + "-ghijkl");
  const auto other = base / "scxlab-run-notapid";
  for (const auto& d : {orphan, alive, other}) fs::create_directories(d / "inside");
  std::string used;
  {
    scxlab::workloads::ScratchDir scratch;
    used = scratch.path();
    CHECK(fs::is_directory(scratch.path()));
    CHECK(fs::path(scratch.path()).filename().string().rfind("scxlab-run-" + std::to_string(getpid()) + "-", 0) == 0);
    CHECK_FALSE(fs::exists(orphan));  // its process is gone
    CHECK(fs::exists(alive));         // its process (this one) runs
    CHECK(fs::exists(other));         // not ours to judge
  }
  CHECK_FALSE(fs::exists(used));
  unsetenv("TMPDIR");
  fs::remove_all(base);
}
