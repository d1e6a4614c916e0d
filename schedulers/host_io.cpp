#include "schedulers/host_io.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace scxlab::schedulers::host {
namespace bp = boost::process;

IoResult write_file(const std::string& path, const std::string& text) {
  IoResult r;
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    r.err = errno;
    return r;
  }
  const ssize_t n = ::write(fd, text.data(), text.size());
  if (n < 0) r.err = errno;
  else if (static_cast<size_t>(n) != text.size()) r.err = EIO;
  if (::close(fd) != 0 && r.err == 0) r.err = errno;
  r.ok = r.err == 0;
  return r;
}

Restored restore_file(const std::string& path, const std::string& old) {
  Restored r;
  const auto now = read_file(path);
  if (now.ok) r.found = now.text;
  if (now.ok && now.text == old) return r;
  const auto w = write_file(path, old);
  r.outcome = w.ok ? Restored::kWritten : Restored::kFailed;
  r.err = w.err;
  return r;
}

std::string errno_text(int err) {
  const char* name = strerrorname_np(err);
  return fmt::format("{} ({})", std::strerror(err), name ? name : std::to_string(err));
}

std::optional<unsigned long long> process_start_time(pid_t pid) {
  const auto r = read_file(fmt::format("/proc/{}/stat", pid));
  if (!r.ok) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const auto close = r.text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  const char* p = r.text.c_str() + close + 2;  // field 3 (state)
  for (int field = 3; field < 22 && *p; ++field) {
    p = std::strchr(p, ' ');
    if (!p) return std::nullopt;
    ++p;
  }
  return std::strtoull(p, nullptr, 10);
}

// Through syscall(2): glibc 2.36's <sys/pidfd.h> lacks C linkage for C++.
base::UniqueFd open_pidfd(pid_t pid) { return base::UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

bool exited_within(pid_t pid, std::chrono::milliseconds bound) {
  const auto fd = open_pidfd(pid);
  if (!fd) return true;
  pollfd pfd{fd.get(), POLLIN, 0};
  return ::poll(&pfd, 1, static_cast<int>(bound.count())) == 1;
}

namespace {

int send_signal(int pidfd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)); }

bool wait_exit(int pidfd, std::chrono::milliseconds grace) {
  pollfd pfd{pidfd, POLLIN, 0};
  for (;;) {
    const int n = ::poll(&pfd, 1, static_cast<int>(grace.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

}  // namespace

std::string stop_process(pid_t pid, unsigned long long start_time, std::chrono::milliseconds grace) {
  const auto pidfd = open_pidfd(pid);
  if (!pidfd) return "already gone";
  const int fd = pidfd.get();
  // The pidfd pins the process: if the starttime matches now, signals reach the right one.
  if (process_start_time(pid) != start_time) return "already gone (its pid now belongs to another process, left alone)";
  // Exited but not yet reaped (a zombie whose parent died: init reaps it in its own time):
  // signals to it succeed, so without this look it would read as "stopped by SIGINT".
  if (wait_exit(fd, std::chrono::milliseconds(0))) {
    ::waitpid(pid, nullptr, WNOHANG);
    return "already gone";
  }
  std::string outcome = "still running after SIGKILL";
  std::vector<std::string> ignored;
  for (const auto& [sig, name] : {std::pair{SIGINT, "SIGINT"}, {SIGTERM, "SIGTERM"}, {SIGKILL, "SIGKILL"}}) {
    if (send_signal(fd, sig) != 0 && errno == ESRCH) {
      outcome = "already gone";
      break;
    }
    if (wait_exit(fd, grace)) {
      outcome = fmt::format("stopped by {}", name);
      if (!ignored.empty()) outcome += fmt::format(" after ignoring {}", fmt::join(ignored, " and "));
      break;
    }
    ignored.push_back(name);
  }
  ::waitpid(pid, nullptr, WNOHANG);  // reap it if it was our child; ECHILD otherwise
  return outcome;
}

CommandResult run_command(const std::vector<std::string>& argv) {
  CommandResult r;
  try {
    const auto exe = bp::search_path(argv.at(0));
    if (exe.empty()) {
      r.last_line = argv[0] + ": not found on PATH";
      return r;
    }
    bp::ipstream out;
    bp::child c(exe, std::vector<std::string>(argv.begin() + 1, argv.end()),
                (bp::std_out & bp::std_err) > out, bp::std_in < bp::null);
    for (std::string line; std::getline(out, line);) {
      if (!trim(line).empty()) r.last_line = trim(line);
    }
    c.wait();
    r.status = c.exit_code();
  } catch (const std::exception& e) {
    r.last_line = e.what();
  }
  return r;
}

}  // namespace scxlab::schedulers::host
