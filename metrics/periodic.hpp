// Calls a function every `interval` on a thread of its own until destroyed, for collectors
// that must read during a trial, not only at its ends: scx_stats gauges are averaged over
// reads, RAPL energy counters wrap. Destruction wakes the thread at once and joins it, so
// after it the owner may use whatever `tick` touched without a lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace scxlab::metrics {

class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> tick)
      : thread_([this, interval, tick = std::move(tick)](std::stop_token stop) {
          std::unique_lock lock(mutex_);
          for (;;) {
            wake_.wait_for(lock, stop, interval, [] { return false; });
            if (stop.stop_requested()) return;
            tick();
          }
        }) {}

 private:
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts after, and is joined before, the members it waits on
};

}  // namespace scxlab::metrics
