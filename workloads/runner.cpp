// run(): one repetition in a child process of its own, so the collectors can follow exactly
// its tasks. The child is forked (not exec'd) for built-in generators: the harness is
// single-threaded when it calls run(), so the child may use the full runtime, and it needs no
// second binary inside the VM's initramfs. External programs are exec'd by the same child.
#include <chrono>
#include <cstring>
#include <csignal>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/background.hpp"
#include "workloads/child.hpp"
#include "workloads/measurements.hpp"
#include "workloads/registry.hpp"

namespace scxlab::workloads {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kStderrKeep = 16 * 1024;
constexpr std::size_t kStdoutMax = 64 * 1024 * 1024;

[[noreturn]] void child_main(const Definition& def, const Params& params, Pipe& go, Pipe& result, Pipe& err) {
  become_group_leader_that_dies_with_parent();
  dup2(err.write_end, STDERR_FILENO);
  char c;
  if (read(go.read_end, &c, 1) != 1) _exit(111);  // the harness went away before releasing us
  if (def.generate) {
    std::string payload;
    int code = 0;
    try {
      payload = encode(def.generate(params));
    } catch (const std::exception& e) {
      payload = encode_failure(e.what());
      code = 1;
    }
    write_all(result.write_end, payload);
    close(result.write_end);
    [[maybe_unused]] auto n = read(go.read_end, &c, 1);  // exit once the harness has stopped measuring
    _exit(code);
  }
  dup2(result.write_end, STDOUT_FILENO);
  const auto argv = def.command(params);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  const auto msg = fmt::format("cannot execute {}: {}\n", argv[0], std::strerror(errno));
  write_all(STDERR_FILENO, msg);
  _exit(127);
}

std::string tail_lines(const std::string& s, std::size_t max_lines) {
  std::size_t pos = s.size();
  for (std::size_t lines = 0; pos > 0 && lines <= max_lines; --pos) {
    if (s[pos - 1] == '\n' && pos != s.size()) ++lines;
  }
  return s.substr(pos == 0 ? 0 : pos + 1);
}

// Reads what is available; false at end of file.
bool drain(int fd, std::string& into, std::size_t keep, bool keep_tail) {
  char buf[65536];
  for (;;) {
    const auto n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      if (into.size() > keep) into.erase(0, keep_tail ? into.size() - keep : 0);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
}

class ChildRun {
 public:
  ChildRun(const Definition& def, Params params, const RunOptions& options)
      : params_(std::move(params)), def_(def), options_(options) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) child_main(def, params_, go_, result_, err_);
    setpgid(pid_, pid_);  // also here: no race with the child's own call
    go_.close_read();
    result_.close_write();
    err_.close_write();
    fcntl(result_.read_end, F_SETFL, O_NONBLOCK);
    fcntl(err_.read_end, F_SETFL, O_NONBLOCK);
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  }

  ~ChildRun() {
    kill_group(pid_);  // whatever is left of the workload's process group
    if (pidfd_ >= 0) close(pidfd_);
  }

  Result wait() {
    if (options_.on_ready) options_.on_ready(pid_);
    const auto started = Clock::now();
    write_all(go_.write_end, "g");
    Result r;
    const auto deadline = started + options_.timeout;
    while (!exited_) {
      poll_once();
      if (options_.cancel && options_.cancel->load()) return stop(r, Result::Status::interrupted, "interrupted");
      if (Clock::now() > deadline) {
        return stop(r, Result::Status::timed_out,
                    fmt::format("still running after the trial timeout of {} s", options_.timeout.count() / 1000.0));
      }
    }
    r.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
    if (!def_.generate && options_.on_finished) options_.on_finished();
    finish(r);
    return r;
  }

 private:
  void poll_once() {
    pollfd fds[3] = {{result_.read_end, POLLIN, 0}, {err_.read_end, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    poll(fds, 3, 50);
    if (result_.read_end >= 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
      if (!drain(result_.read_end, out_, kStdoutMax, false)) {
        result_.close_read();
        if (def_.generate) result_complete();
      }
    }
    if (err_.read_end >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
      if (!drain(err_.read_end, err_text_, kStderrKeep, true)) err_.close_read();
    }
    if (fds[2].revents & POLLIN) reap();
  }

  // A built-in's result arrived: stop the collectors while its tasks are quiet, then let it exit.
  void result_complete() {
    if (options_.on_finished) options_.on_finished();
    write_all(go_.write_end, "x");
    go_.close_write();
  }

  void reap() {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
    }
  }

  Result stop(Result& r, Result::Status s, const std::string& reason) {
    kill_group(pid_);
    exited_ = true;
    r.status = s;
    r.reason = reason;
    collect_stderr(r);
    return r;
  }

  void collect_stderr(Result& r) {
    if (err_.read_end >= 0) drain(err_.read_end, err_text_, kStderrKeep, true);
    r.stderr_tail = tail_lines(err_text_, 20);
  }

  void finish(Result& r) {
    if (result_.read_end >= 0) drain(result_.read_end, out_, kStdoutMax, false);
    collect_stderr(r);
    const bool clean_exit = WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
    try {
      const auto m = def_.generate ? decode(out_) : parse_tool_output(clean_exit);
      r.metrics = m.metrics;
      r.histograms = m.histograms;
      r.status = Result::Status::ok;
    } catch (const WorkloadFailure& e) {
      r.status = Result::Status::failed;
      r.reason = e.what();
    }
  }

  Measurements parse_tool_output(bool clean_exit) {
    if (!clean_exit) {
      throw WorkloadFailure(WIFSIGNALED(status_)
                                ? fmt::format("{} was killed by signal {}", def_.info.tool, WTERMSIG(status_))
                                : fmt::format("{} exited with status {}", def_.info.tool, WEXITSTATUS(status_)));
    }
    return def_.parse(params_, out_, err_text_);
  }

  Params params_;
  const Definition& def_;
  const RunOptions& options_;
  Pipe go_, result_, err_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool exited_ = false;
  int status_ = 0;
  std::string out_, err_text_;
};

Result failed(std::string reason) {
  Result r;
  r.status = Result::Status::failed;
  r.reason = std::move(reason);
  return r;
}

bool on_path(const std::string& tool) {
  if (tool.find('/') != std::string::npos) return access(tool.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (access((dirs.substr(start, end - start) + "/" + tool).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool tool_installed(const WorkloadInfo& info) { return info.tool.empty() || on_path(info.tool); }

Result run(const std::string& workload, const Params& params, const RunOptions& options) {
  const auto* def = find_definition(workload);
  const auto checked = validate(workload, params);
  if (!def || !checked.params) return failed(checked.error);
  if (!tool_installed(def->info)) {
    return failed(fmt::format("{} is not installed: {}", def->info.tool, def->info.install_hint));
  }
  try {
    const auto background = BackgroundLoad::start(*checked.params);
    ChildRun child(*def, *checked.params, options);
    return child.wait();
  } catch (const std::exception& e) {
    return failed(e.what());
  }
}

}  // namespace scxlab::workloads
