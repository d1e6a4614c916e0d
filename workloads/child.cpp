#include "workloads/child.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.hpp"

namespace scxlab::workloads {

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  bool socket = true;
  while (done < data.size()) {
    const auto n = socket ? send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL)
                          : write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == ENOTSOCK) {
      socket = false;  // a pipe: plain write
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

pid_t fork_dying_with_parent() {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
  }
  return pid;
}

pid_t fork_group_leader() {
  const pid_t pid = fork_dying_with_parent();
  if (pid == 0) setpgid(0, 0);
  if (pid > 0) setpgid(pid, pid);  // also here: no race with the child's own call
  return pid;
}

bool group_alive(pid_t pgid) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = base::read_file_or_empty(entry.path() / "stat");  // it may exit meanwhile
    const auto paren = stat.rfind(')');
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (paren != std::string::npos && std::sscanf(stat.c_str() + paren + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 &&
        pgrp == pgid && state != 'Z' && state != 'X') {
      return true;
    }
  }
  return false;
}

void kill_group(pid_t leader) {
  if (leader <= 0) return;
  // The leader is our child and not reaped yet (callers peek with exited_status), so the
  // group id cannot have been reused by a stranger. SIGKILL is delivered asynchronously and
  // the other members are not our children: watch them die (bounded), then reap the leader.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    kill(-leader, SIGKILL);
    if (!group_alive(leader)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < until);
  while (waitpid(leader, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::optional<int> exited_status(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid) {
    return std::nullopt;
  }
  return info.si_code == CLD_EXITED ? W_EXITCODE(info.si_status, 0) : W_EXITCODE(0, info.si_status);
}

namespace {

constexpr std::string_view kScratchPrefix = "scxlab-run-";

// scxlab-run-<pid>-* whose <pid> no longer exists (a reused pid only delays the removal).
void remove_orphaned_scratch_dirs(const std::string& base) {
  std::error_code ec;
  std::vector<std::filesystem::path> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const auto name = entry.path().filename().string();
    if (name.rfind(kScratchPrefix, 0) != 0) continue;
    const long pid = std::atol(name.c_str() + kScratchPrefix.size());
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) orphans.push_back(entry.path());
  }
  for (const auto& dir : orphans) std::filesystem::remove_all(dir, ec);
}

}  // namespace

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = tmp && *tmp ? tmp : "/tmp";
  remove_orphaned_scratch_dirs(base);
  std::string templ = base + "/" + std::string(kScratchPrefix) + std::to_string(getpid()) + "-XXXXXX";
  if (!mkdtemp(templ.data())) {
    throw std::runtime_error("cannot create a scratch directory in " + base + ": " + std::strerror(errno) +
                             " (set TMPDIR to a writable directory)");
  }
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace scxlab::workloads
