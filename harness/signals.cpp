#include "harness/signals.hpp"

#include <csignal>
#include <unistd.h>

namespace scxlab::harness {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_count{0};
struct sigaction g_old[3];
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

void on_signal(int sig) {
  g_signal.store(sig);
  g_interrupted.store(true);
  if (g_count.fetch_add(1) >= 2) _exit(128 + sig);
  static const char msg[] = "\nscxlab: stopping after cleaning up (again twice to abort at once)\n";
  [[maybe_unused]] auto n = write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  g_count = 0;
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &g_old[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
}

const std::atomic<bool>& InterruptGuard::flag() const { return g_interrupted; }
int InterruptGuard::signal_number() const { return g_signal.load(); }

}  // namespace scxlab::harness
