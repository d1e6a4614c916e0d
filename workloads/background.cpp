#include "workloads/background.hpp"

#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "workloads/child.hpp"
#include "workloads/registry.hpp"

namespace scxlab::workloads {
namespace {

[[noreturn]] void spin() {
  volatile unsigned long x = 0;
  for (;;) x = x + 1;
}

// One CPU hog per CPU.
[[noreturn]] void hogs() {
  const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < cpus; ++i) {
    if (fork() == 0) spin();
  }
  spin();
}

// Fork/exec churn like a parallel build: per CPU a loop of short-lived compiler-like processes.
[[noreturn]] void build() {
  const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < cpus; ++i) {
    if (fork() == 0) break;
  }
  for (;;) {
    const pid_t p = fork();
    if (p == 0) {
      execl("/bin/sh", "sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done", static_cast<char*>(nullptr));
      _exit(127);
    }
    waitpid(p, nullptr, 0);
  }
}

// Any workload, repeated until stopped, with its default parameters.
[[noreturn]] void repeat(const std::string& workload) {
  const auto* def = find_definition(workload);
  const auto params = validate(workload, {}).params.value_or(Params{});
  for (;;) {
    if (def && def->generate) {
      try {
        def->generate(params);
      } catch (...) {
        _exit(1);
      }
    } else if (def) {
      const auto argv = def->command(params);
      const pid_t p = fork();
      if (p == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
      }
      int status = 0;
      waitpid(p, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) _exit(1);
    } else {
      _exit(1);
    }
  }
}

}  // namespace

const std::vector<std::string>& BackgroundLoad::builtin_kinds() {
  static const std::vector<std::string> kinds{"none", "hogs", "build"};
  return kinds;
}

std::unique_ptr<BackgroundLoad> BackgroundLoad::start(const Params& params) {
  const auto it = params.find("background");
  if (it == params.end() || it->second == "none") return nullptr;
  return std::make_unique<BackgroundLoad>(it->second);
}

BackgroundLoad::BackgroundLoad(const std::string& kind) {
  leader_ = fork();
  if (leader_ < 0) throw std::runtime_error("fork failed for the background load");
  if (leader_ == 0) {
    become_group_leader_that_dies_with_parent();
    // Quiet: a background load's chatter must not mix into the trial's output.
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    if (kind == "hogs") hogs();
    if (kind == "build") build();
    repeat(kind);
  }
  setpgid(leader_, leader_);
}

BackgroundLoad::~BackgroundLoad() { kill_group(leader_); }

}  // namespace scxlab::workloads
