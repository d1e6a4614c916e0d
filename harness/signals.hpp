// SIGINT/SIGTERM/SIGHUP become a flag the trial loop and the workload runner watch: the
// current trial stops cleanly, the scheduler is stopped, knobs are restored, and everything
// committed stays. A third signal while cleaning up ends the process at once (the restore
// journal then brings the machine back at the next start or with `scxlab restore`).
#pragma once

#include <atomic>

namespace scxlab::harness {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  const std::atomic<bool>& flag() const;
  bool interrupted() const { return flag().load(); }
  int signal_number() const;
};

}  // namespace scxlab::harness
