// Background load (a workload's `background` parameter): runs in its own process tree,
// forked from the harness, never from the measured workload, so no collector counts it.
// Stopped and reaped when the handle is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "workloads/workload.hpp"

namespace scxlab::workloads {

class BackgroundLoad {
 public:
  // None when params have no `background` or it is "none".
  static std::unique_ptr<BackgroundLoad> start(const Params& params);
  explicit BackgroundLoad(const std::string& kind);
  ~BackgroundLoad();
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  pid_t leader() const { return leader_; }

  // Names accepted besides any other workload's name.
  static const std::vector<std::string>& builtin_kinds();

 private:
  pid_t leader_ = -1;
};

}  // namespace scxlab::workloads
