#include "process.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace scxlab::test {
namespace {

std::string slurp(FILE* f) {
  std::rewind(f);
  std::ostringstream s;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.write(buf, static_cast<std::streamsize>(n));
  return s.str();
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::optional<uid_t> as_uid, const std::string& cwd) {
  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    if (as_uid && (setgid(*as_uid) != 0 || setuid(*as_uid) != 0)) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::fclose(out);
  std::fclose(err);
  return r;
}

Spawned::Spawned(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Spawned::~Spawned() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

void Spawned::kill(int signal) { ::kill(pid_, signal); }

int Spawned::wait() {
  if (!exit_code_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return *exit_code_;
}

std::filesystem::path fresh_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("scxlab-test-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

ProcessResult run_tiny_shootout(const std::filesystem::path& out, const std::string& schedulers) {
  return run_process({scxlab_binary(), "shootout", "-s", schedulers, "-w", "messaging:groups=1,loops=20", "-n", "3",
                      "--warmup", "0", "--no-bpf", "-q", "-o", out.string()});
}

std::string scxlab_binary() { return std::string(SCXLAB_BINARY_DIR) + "/scxlab"; }

}  // namespace scxlab::test
