#include "support.hpp"

#include <chrono>
#include <csignal>
#include <stdexcept>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"

namespace scxlab::test {

HeldChild::HeldChild(std::function<void()> body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    close(fds[1]);
    char c;
    if (read(fds[0], &c, 1) != 1) _exit(2);
    try {
      body();
    } catch (...) {
      _exit(3);
    }
    _exit(0);
  }
  close(fds[0]);
  go_ = fds[1];
}

HeldChild::~HeldChild() {
  if (go_ >= 0) close(go_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void HeldChild::release() {
  if (write(go_, "g", 1) != 1) throw std::runtime_error("releasing the child failed");
  close(go_);
  go_ = -1;
}

void HeldChild::release_and_wait() {
  release();
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("the child's body failed");
}

void pipe_ping_pong(int rounds) {
  int there[2], back[2];
  if (pipe(there) != 0 || pipe(back) != 0) throw std::runtime_error("pipe");
  const pid_t partner = fork();
  if (partner < 0) throw std::runtime_error("fork");
  char c = 'x';
  if (partner == 0) {
    close(there[1]);  // so the partner sees EOF if the caller dies
    close(back[0]);
    for (int i = 0; i < rounds; ++i) {
      if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1) _exit(4);
    }
    _exit(0);
  }
  close(there[0]);
  close(back[1]);
  bool ok = true;
  for (int i = 0; i < rounds && ok; ++i) ok = write(there[1], &c, 1) == 1 && read(back[0], &c, 1) == 1;
  close(there[1]);
  close(back[0]);
  int status = 0;
  waitpid(partner, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("ping-pong broke");
}

void spin_for_ms(int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  volatile unsigned long x = 0;
  while (std::chrono::steady_clock::now() < until) x = x + 1;
}

Hog::Hog() {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
  }
}

Hog::~Hog() {
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool has_metric(const metrics::Collected& c, const std::string& name) {
  for (const auto& m : c.metrics) {
    if (m.name == name) return true;
  }
  return false;
}

double metric(const metrics::Collected& c, const std::string& name) {
  for (const auto& m : c.metrics) {
    if (m.name == name) return m.value;
  }
  FAIL("no metric " << name);
  return 0;
}

std::string unavailable_reason(const metrics::Collected& c, const std::string& name) {
  for (const auto& u : c.unavailable) {
    if (u.name == name) return u.reason;
  }
  return "";
}

}  // namespace scxlab::test
