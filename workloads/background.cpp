#include "workloads/background.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/registry.hpp"

namespace scxlab::workloads {
namespace {

constexpr std::chrono::seconds kStartTimeout{10};

unsigned online_cpus() { return std::max(1U, std::thread::hardware_concurrency()); }

// Runs `body` in one process per CPU: this one and cpus-1 children, each saying it runs.
template <typename F>
[[noreturn]] void per_cpu(F body, int ready_fd) {
  for (unsigned i = 1; i < online_cpus(); ++i) {
    if (fork_dying_with_parent() == 0) break;
  }
  write_all(ready_fd, "r");
  body();
  _exit(0);
}

[[noreturn]] void spin() {
  volatile unsigned long x = 0;
  for (;;) x = x + 1;
}

// Like `make -j$(nproc)`: per CPU an endless series of short-lived compiler-like processes
// (fork, exec a shell that computes for about 100 ms, exit).
[[noreturn]] void build_slot() {
  for (;;) {
    const pid_t p = fork_dying_with_parent();
    if (p == 0) {
      execl("/bin/sh", "sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", static_cast<char*>(nullptr));
      _exit(127);
    }
    if (p < 0 || waitpid(p, nullptr, 0) < 0) _exit(1);
  }
}

[[noreturn]] void exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

// Any workload, repeated until stopped, with its default parameters.
[[noreturn]] void repeat(const Definition& def, const Params& params, const std::string& scratch, int ready_fd) {
  write_all(ready_fd, "r");
  for (;;) {
    if (def.generate) {
      try {
        def.generate(params);
      } catch (const std::exception&) {
        _exit(1);
      }
      continue;
    }
    const auto argv = def.command(params, scratch);
    const pid_t p = fork_dying_with_parent();
    if (p == 0) {
      if (chdir(scratch.c_str()) != 0) _exit(126);
      exec_argv(argv);
    }
    int status = 0;
    if (p < 0 || waitpid(p, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) _exit(1);
  }
}

const Definition& background_definition(const std::string& kind) {
  const auto* def = find_definition(kind);
  if (!def) throw std::runtime_error(fmt::format("background '{}' is neither hogs, build nor a workload", kind));
  if (!tool_installed(def->info)) {
    throw std::runtime_error(fmt::format("background {}: {} is not installed: {}", kind, def->info.tool, def->info.install_hint));
  }
  return *def;
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

BackgroundLoad::BackgroundLoad(const std::string& kind) : kind_(kind) {
  const Definition* def = nullptr;
  Params defaults;
  if (kind != "hogs" && kind != "build") {
    def = &background_definition(kind);
    defaults = validate(kind, {}).params.value_or(Params{});
    if (def->prepare) def->prepare(defaults);
  }
  base::Pipe ready = base::make_pipe(O_CLOEXEC);
  leader_ = fork_group_leader();
  if (leader_ < 0) throw std::runtime_error("fork failed for the background load");
  if (leader_ == 0) {
    // Quiet: a background load's chatter must not mix into the harness's output. dup2, not
    // freopen: flushing the inherited stdio buffers would print the harness's output twice.
    const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) _exit(1);
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) dup2(devnull, fd);
    if (kind == "hogs") per_cpu(spin, ready.write_end.get());
    if (kind == "build") per_cpu(build_slot, ready.write_end.get());
    repeat(*def, defaults, scratch_.path(), ready.write_end.get());
  }
  ready.write_end.reset();  // so a load that dies at once reads as end of file, not a silent wait
  wait_until_running(ready, def ? 1 : online_cpus());
}

// The load is fully up (every per-CPU process runs) before the measured child is released.
void BackgroundLoad::wait_until_running(const base::Pipe& ready, unsigned processes) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (unsigned started = 0; started < processes;) {
    pollfd p{ready.read_end.get(), POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    char buf[64];
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      throw std::runtime_error(fmt::format("the background load '{}' did not start within {} s", kind_, kStartTimeout.count()));
    }
    const auto n = read(ready.read_end.get(), buf, std::min<std::size_t>(sizeof buf, processes - started));
    if (n == 0) throw std::runtime_error(fmt::format("the background load '{}' stopped before it started", kind_));
    if (n > 0) started += static_cast<unsigned>(n);
  }
}

std::string BackgroundLoad::stopped_early() {
  const auto status = exited_status(leader_);  // not reaped: the destructor still kills the group
  if (!status) return "";
  const auto reason = WIFSIGNALED(*status) ? fmt::format("killed by signal {}", WTERMSIG(*status))
                                           : fmt::format("exit status {}", WEXITSTATUS(*status));
  return fmt::format("the background load '{}' stopped during the run ({}), so the run was not under load", kind_, reason);
}

BackgroundLoad::~BackgroundLoad() { kill_group(leader_); }

}  // namespace scxlab::workloads
