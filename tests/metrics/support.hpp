// Workload-like task trees for the collector tests: real processes, synchronised by pipes.
#pragma once

#include <functional>
#include <string>

#include <sys/types.h>

#include "metrics/collector.hpp"

namespace scxlab::test {

// A root process that waits (blocked on a pipe) until release, then runs `body` (which may
// fork) and exits: what a workload's root looks like when the collectors start.
class HeldChild {
 public:
  explicit HeldChild(std::function<void()> body);
  ~HeldChild();
  HeldChild(const HeldChild&) = delete;
  HeldChild& operator=(const HeldChild&) = delete;
  pid_t pid() const { return pid_; }
  void release();           // lets the body run
  void release_and_wait();  // ... and reaps the root; throws if the body failed

 private:
  pid_t pid_ = -1;
  int go_ = -1;
};

// `rounds` one-byte round trips over two pipes between the caller and a forked child, which
// it reaps. Throws std::runtime_error if a pipe breaks.
void pipe_ping_pong(int rounds);

// Spins the CPU for about `ms` milliseconds of wall time.
void spin_for_ms(int ms);

// A process that spins until killed (by the destructor).
class Hog {
 public:
  Hog();
  ~Hog();
  Hog(const Hog&) = delete;
  Hog& operator=(const Hog&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The value of a metric; fails the test when it is missing.
double metric(const metrics::Collected& c, const std::string& name);
bool has_metric(const metrics::Collected& c, const std::string& name);
// The reason a metric is unavailable, "" when it is not listed as unavailable.
std::string unavailable_reason(const metrics::Collected& c, const std::string& name);

}  // namespace scxlab::test
