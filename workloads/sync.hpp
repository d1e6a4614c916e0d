// Wake-up primitives for the generators, on raw futexes. Not std::binary_semaphore: libstdc++'s
// atomic wait spins and calls sched_yield() before it sleeps, and a scheduler benchmark must
// not add yields the scheduler then sees; here a waiter sleeps at once and a waker wakes
// exactly one task, like hackbench and schbench.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace scxlab::workloads {

inline constexpr std::int64_t kNsPerS = 1'000'000'000;

// CLOCK_MONOTONIC in nanoseconds: the clock every generator timestamps with.
std::int64_t now_ns();
// Sleeps until an absolute CLOCK_MONOTONIC time (no drift from relative sleeps).
void sleep_until_ns(std::int64_t t);

// One-shot binary event: signal() sets it and wakes the waiter; wait() consumes it.
class Event {
 public:
  void signal();
  void wait();
  // Waits until signalled or `deadline_ns` (CLOCK_MONOTONIC) passed; true when signalled.
  bool wait_until(std::int64_t deadline_ns);

 private:
  std::atomic<std::uint32_t> state_{0};
};

// Spins a few hundred cycles politely (the pause instruction), for busy-wait locks.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace scxlab::workloads
