// Small host I/O helpers shared by the backends and the journal: file contents with the
// errno on failure, process identity (pid + starttime) and an escalating stop.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/files.hpp"
#include "base/unique_fd.hpp"

namespace scxlab::schedulers::host {

using IoResult = base::FileText;  // ok, err (errno when !ok), text (contents read)
using base::read_file;
using base::trim;  // without surrounding whitespace

// Writes the whole text (O_TRUNC); sysfs, procfs and debugfs files take it in one write.
IoResult write_file(const std::string& path, const std::string& text);
// Puts `old` back into a file unless it already holds it: a value that was never changed is
// not written again (sysfs writes are not free: an EPP or governor write reprograms the CPU).
struct Restored {
  enum Outcome { kUnchanged, kWritten, kFailed } outcome = kUnchanged;
  std::optional<std::string> found;  // what the file held before, if it could be read
  int err = 0;        // errno when kFailed
};
Restored restore_file(const std::string& path, const std::string& old);

std::string errno_text(int err);          // "Operation not permitted (EPERM)"

// /proc/<pid>/stat field 22 (starttime, clock ticks since boot); nullopt if no such process.
std::optional<unsigned long long> process_start_time(pid_t pid);

base::UniqueFd open_pidfd(pid_t pid);  // empty (errno set) when there is no such process
// True once the process has exited (or is gone), waiting at most `bound` (pidfd, no polling).
bool exited_within(pid_t pid, std::chrono::milliseconds bound);

// Stops a process that may not be our child: SIGINT, then SIGTERM, then SIGKILL, waiting
// `grace` after each for it to exit (pidfd, no polling). Does nothing if the pid now
// belongs to another process (starttime differs). Reaps it if it is our child. Returns
// what happened, e.g. "stopped by SIGINT", "already gone", "stopped by SIGKILL after
// ignoring SIGINT and SIGTERM", or "still running after SIGKILL".
std::string stop_process(pid_t pid, unsigned long long start_time,
                         std::chrono::milliseconds grace = std::chrono::seconds(5));

// Runs a program (no shell) and returns its exit status (-1 if it could not run) and
// its combined output's last line.
struct CommandResult {
  int status = -1;
  std::string last_line;
};
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace scxlab::schedulers::host
