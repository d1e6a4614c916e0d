// run(): one repetition in a child process of its own, so the collectors can follow exactly
// its tasks.
//
// Built-in generators run in the forked child without exec. Why not exec a runner binary:
// the harness is single-threaded when it calls run(), glibc resets its malloc locks in the
// child, and the child runs only generator code (no harness state, no locks the harness could
// hold), so forking is safe; and a second binary would have to be found next to scxlab inside
// the VM's minimal initramfs and kept in step with it. External programs are exec'd by the
// same child after it is released, with every inherited descriptor above stderr closed.
//
// The child leads its own process group, waits for one byte on a pipe before doing anything
// (on_ready attaches the collectors meanwhile), and reports as JSON over a second pipe. A
// timeout, a cancel or the end of the run kills the whole group and waits until it is gone.
#include <chrono>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "workloads/background.hpp"
#include "workloads/child.hpp"
#include "workloads/measurements.hpp"
#include "workloads/registry.hpp"

namespace scxlab::workloads {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kOutputKeep = 64 * 1024 * 1024;  // stdout: parsers read it whole
constexpr std::size_t kStderrKeep = 1024 * 1024;       // stderr: parsers read its end (schbench, stress-ng)
constexpr std::size_t kStderrTailLines = 20;
constexpr auto kStopGrace = std::chrono::seconds(5);   // after SIGINT at a command's duration

[[noreturn]] void child_exit_with(const std::string& message, int code) {
  write_all(STDERR_FILENO, message + "\n");
  _exit(code);
}

// In the forked child: plumbing, then wait for the release byte.
void child_setup(const Definition& def, const std::string& scratch, int go_fd, int err_fd) {
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);  // a tool must not read the harness's terminal
  dup2(err_fd, STDERR_FILENO);
  if (def.generate) dup2(err_fd, STDOUT_FILENO);  // a generator's stray output joins the stderr tail
  const auto& dir = def.cwd.empty() ? scratch : def.cwd;
  if (chdir(dir.c_str()) != 0) child_exit_with(fmt::format("cannot enter {}: {}", dir, std::strerror(errno)), 126);
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(111);  // the harness went away before releasing us
}

[[noreturn]] void run_generator(const Definition& def, const Params& params, int go_fd, int result_fd) {
  std::string payload;
  int code = 0;
  try {
    payload = encode(def.generate(params));
  } catch (const std::exception& e) {
    payload = encode_failure(e.what());
    code = 1;
  }
  write_all(result_fd, payload);
  close(result_fd);
  char c;
  [[maybe_unused]] auto n = read(go_fd, &c, 1);  // exit once the harness has stopped measuring
  _exit(code);
}

[[noreturn]] void exec_tool(const std::vector<std::string>& argv, int result_fd) {
  dup2(result_fd, STDOUT_FILENO);
  close_range(3, ~0U, 0);  // no harness descriptor (BPF maps, perf events, the database) leaks in
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  child_exit_with(fmt::format("cannot execute {}: {}", argv[0], std::strerror(errno)), 127);
}

std::string tail_lines(const std::string& s, std::size_t max_lines) {
  std::size_t pos = s.size();
  if (pos > 0 && s[pos - 1] == '\n') --pos;
  for (std::size_t lines = 0; pos > 0; --pos) {
    if (s[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return s.substr(pos);
}

// Reads what is available, keeping at most `keep` bytes (the end); false at end of file.
bool drain(int fd, std::string& into, std::size_t keep) {
  char buf[65536];
  for (;;) {
    const auto n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      if (into.size() > keep) into.erase(0, into.size() - keep);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
}

std::string describe_exit(const std::string& who, int status) {
  if (WIFSIGNALED(status)) return fmt::format("{} was killed by signal {} ({})", who, WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("{} exited with status {}", who, WEXITSTATUS(status));
}

class ChildRun {
 public:
  ChildRun(const Definition& def, Params params, const std::string& scratch, const RunOptions& options)
      : params_(std::move(params)), def_(def), options_(options), scratch_(scratch) {
    std::vector<std::string> argv;
    if (!def.generate) argv = def.command(params_, scratch);
    pid_ = fork_group_leader();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      child_setup(def, scratch, go_.read_end.get(), err_.write_end.get());
      if (def.generate) run_generator(def, params_, go_.read_end.get(), result_.write_end.get());
      exec_tool(argv, result_.write_end.get());
    }
    go_.read_end.reset();
    result_.write_end.reset();
    err_.write_end.reset();
    fcntl(result_.read_end.get(), F_SETFL, O_NONBLOCK);
    fcntl(err_.read_end.get(), F_SETFL, O_NONBLOCK);
    pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
    if (!pidfd_) {
      const std::string why = std::strerror(errno);
      kill_group(pid_);  // the destructor does not run for a constructor that throws
      throw std::runtime_error("pidfd_open: " + why + " (Linux 5.3 or later is needed)");
    }
  }

  ~ChildRun() {
    kill_group(pid_);  // whatever is left of the workload's process group, then reap the root
  }

  ChildRun(const ChildRun&) = delete;
  ChildRun& operator=(const ChildRun&) = delete;

  Result wait() {
    if (options_.on_ready) options_.on_ready(pid_);
    started_ = Clock::now();
    write_all(go_.write_end.get(), "g");
    const auto timeout = def_.timeout ? std::min(*def_.timeout, options_.timeout) : options_.timeout;
    const auto deadline = started_ + timeout;
    while (!exited_) {
      poll_once();
      if (options_.cancel && options_.cancel->load()) return stop(Result::Status::interrupted, "interrupted");
      if (Clock::now() > deadline) {
        return stop(Result::Status::timed_out,
                    fmt::format("still running after the {} timeout of {} s", def_.timeout == timeout ? "command's" : "trial",
                                std::chrono::duration<double>(timeout).count()));
      }
      stop_at_duration();
    }
    Result r;
    r.wall_s = std::chrono::duration<double>(Clock::now() - started_).count();
    if (!def_.generate && options_.on_finished) options_.on_finished();
    finish(r);
    return r;
  }

 private:
  void poll_once() {
    pollfd fds[3] = {{result_.read_end.get(), POLLIN, 0}, {err_.read_end.get(), POLLIN, 0}, {pidfd_.get(), POLLIN, 0}};
    poll(fds, 3, 50);
    if (result_.read_end && (fds[0].revents & (POLLIN | POLLHUP))) {
      if (!drain(result_.read_end.get(), out_, kOutputKeep)) {
        result_.read_end.reset();
        if (def_.generate) result_complete();
      }
    }
    if (err_.read_end && (fds[1].revents & (POLLIN | POLLHUP))) {
      if (!drain(err_.read_end.get(), err_text_, kStderrKeep)) err_.read_end.reset();
    }
    if (fds[2].revents & POLLIN) reap();
  }

  // A built-in's result arrived: stop the collectors while its tasks are quiet, then let it exit.
  void result_complete() {
    if (options_.on_finished) options_.on_finished();
    write_all(go_.write_end.get(), "x");
    go_.write_end.reset();
  }

  // Command workloads that run until stopped: SIGINT at their duration, SIGKILL after a grace.
  void stop_at_duration() {
    if (!def_.stop_after) return;
    const auto now = Clock::now();
    if (!stop_sent_ && now >= started_ + *def_.stop_after) {
      kill(-pid_, SIGINT);
      stop_sent_ = true;
    } else if (stop_sent_ && now >= started_ + *def_.stop_after + kStopGrace) {
      kill(-pid_, SIGKILL);
    }
  }

  // Notes the exit without reaping: the destructor's kill_group reaps after the group is gone.
  void reap() {
    if (auto status = exited_status(pid_)) {
      exited_ = true;
      status_ = *status;
    }
  }

  Result stop(Result::Status s, const std::string& reason) {
    kill(-pid_, SIGKILL);  // the destructor waits until the group is gone
    exited_ = true;
    Result r;
    r.status = s;
    r.reason = reason;
    r.wall_s = std::chrono::duration<double>(Clock::now() - started_).count();
    collect_stderr(r);
    return r;
  }

  void collect_stderr(Result& r) {
    if (err_.read_end) drain(err_.read_end.get(), err_text_, kStderrKeep);
    r.stderr_tail = tail_lines(err_text_, kStderrTailLines);
  }

  void finish(Result& r) {
    if (result_.read_end) drain(result_.read_end.get(), out_, kOutputKeep);
    collect_stderr(r);
    try {
      const auto m = def_.generate ? generator_result() : tool_result();
      r.metrics = m.metrics;
      r.histograms = m.histograms;
      r.status = Result::Status::ok;
    } catch (const WorkloadFailure& e) {
      r.status = Result::Status::failed;
      r.reason = e.what();
    }
  }

  Measurements generator_result() {
    if (out_.empty() && !(WIFEXITED(status_) && WEXITSTATUS(status_) == 0)) {
      throw WorkloadFailure(describe_exit("the " + def_.info.name + " process", status_) + " without a result");
    }
    return decode(out_);
  }

  Measurements tool_result() {
    const bool clean_exit = WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
    if (!clean_exit && !stop_sent_) throw WorkloadFailure(describe_exit(def_.info.tool, status_));
    return def_.parse(params_, {out_, err_text_, scratch_});
  }

  Params params_;
  const Definition& def_;
  const RunOptions& options_;
  std::string scratch_;
  base::Pipe go_ = base::make_socket_pair(SOCK_CLOEXEC);  // the harness writes to it: no SIGPIPE if the child died
  base::Pipe result_ = base::make_pipe(O_CLOEXEC), err_ = base::make_pipe(O_CLOEXEC);
  pid_t pid_ = -1;
  base::UniqueFd pidfd_;
  Clock::time_point started_ = Clock::now();
  bool exited_ = false;
  bool stop_sent_ = false;
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
  const std::string dirs = path ? path : "/usr/bin:/bin";
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
  try {
    const auto* def = find_definition(workload);
    const auto checked = validate(workload, params);
    if (!def || !checked.params) return failed(checked.error);
    if (!tool_installed(def->info)) return failed(fmt::format("{}: not installed: {}", def->info.tool, def->info.install_hint));
    if (def->prepare) def->prepare(*checked.params);
    const ScratchDir scratch;
    const auto background = BackgroundLoad::start(*checked.params);
    ChildRun child(*def, *checked.params, scratch.path(), options);
    auto result = child.wait();
    if (background && result.status == Result::Status::ok) {
      if (auto why = background->stopped_early(); !why.empty()) {
        result.status = Result::Status::failed;
        result.reason = why;
      }
    }
    return result;
  } catch (const std::exception& e) {
    return failed(e.what());
  }
}

}  // namespace scxlab::workloads
