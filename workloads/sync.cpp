#include "workloads/sync.hpp"

#include <cerrno>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace scxlab::workloads {
namespace {


timespec to_timespec(std::int64_t ns) { return {static_cast<time_t>(ns / kNsPerS), static_cast<long>(ns % kNsPerS)}; }

// Sleeps while *word == expected, until woken or the absolute monotonic deadline (nullptr:
// none). Spurious returns are fine: callers re-check their condition.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* deadline) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected,
          deadline, nullptr, FUTEX_BITSET_MATCH_ANY);
}

void futex_wake_one(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr, nullptr, 0);
}

}  // namespace

std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerS + ts.tv_nsec;
}

void sleep_until_ns(std::int64_t t) {
  const timespec ts = to_timespec(t);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// state_: 0 = not signalled, 1 = signalled. The waiter consumes the signal with exchange(0).
void Event::signal() {
  state_.store(1, std::memory_order_release);
  futex_wake_one(state_);
}

void Event::wait() {
  while (state_.exchange(0, std::memory_order_acquire) == 0) futex_wait(state_, 0, nullptr);
}

bool Event::wait_until(std::int64_t deadline_ns) {
  const timespec deadline = to_timespec(deadline_ns);
  while (state_.exchange(0, std::memory_order_acquire) == 0) {
    if (now_ns() >= deadline_ns) return false;
    futex_wait(state_, 0, &deadline);
  }
  return true;
}

}  // namespace scxlab::workloads
