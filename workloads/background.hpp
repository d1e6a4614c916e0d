// Background load (every workload's `background` parameter): runs in its own process tree,
// forked from the harness, never from the measured workload, so no collector counts it. It is
// started before the measured child is released, and stopped and reaped (the whole group)
// when the handle is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "base/unique_fd.hpp"
#include "workloads/child.hpp"
#include "workloads/workload.hpp"

namespace scxlab::workloads {

class BackgroundLoad {
 public:
  // None when params have no `background` or it is "none". Throws std::runtime_error when the
  // load cannot run (a tool that is not installed).
  static std::unique_ptr<BackgroundLoad> start(const Params& params);
  explicit BackgroundLoad(const std::string& kind);
  ~BackgroundLoad();
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  pid_t leader() const { return leader_; }
  // "" while the load runs; else why it stopped (a repeated workload failed, a tool crashed).
  std::string stopped_early();

  // Names accepted besides any workload's name.
  static const std::vector<std::string>& builtin_kinds();

 private:
  void wait_until_running(const base::Pipe& ready, unsigned processes);

  std::string kind_;
  ScratchDir scratch_;  // for a tool run as background (declared first: removed after the kill)
  pid_t leader_ = -1;
};

}  // namespace scxlab::workloads
