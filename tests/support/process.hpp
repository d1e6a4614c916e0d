// Runs a program to completion for integration tests: its exit code, stdout and stderr.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace scxlab::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// `as_uid`: drop to this uid (and gid) before exec, to test the unprivileged path.
ProcessResult run_process(const std::vector<std::string>& argv, std::optional<uid_t> as_uid = std::nullopt,
                          const std::string& cwd = "");

// A program running in the background, its stdout and stderr going to `log`; killed with
// SIGKILL and reaped when destroyed while still running.
class Spawned {
 public:
  Spawned(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  pid_t pid() const { return pid_; }
  void kill(int signal);
  int wait();  // its exit code, 128 + signal when killed

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

std::string scxlab_binary();  // build/scxlab of this build

// A tiny real shootout (messaging, 3 repetitions, no BPF probes) of `schedulers` (as -s takes
// them) into `out`, for tests of what reads a finished run; its result for the caller to check.
ProcessResult run_tiny_shootout(const std::filesystem::path& out, const std::string& schedulers = "eevdf");

// An empty directory under the system's temporary directory, named for the test and process
// (left behind on failure, to look at).
std::filesystem::path fresh_temp_dir(const std::string& name);

}  // namespace scxlab::test
