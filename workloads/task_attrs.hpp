// Per-role scheduling attributes a workload applies to its own threads, so a tuner can search
// them: `<role>_nice`, `<role>_slice_us` (SCHED_OTHER/BATCH custom slice via sched_setattr's
// sched_runtime, Linux >= 6.12; 0 = the kernel's default) and `<role>_policy`
// (other|batch|idle|fifo|rr; fifo and rr use the workload's `rt_priority`).
//
// Applied with sched_setattr() and read back with sched_getattr(): what the kernel refuses
// (EPERM, EINVAL) or does not honour (an old kernel ignoring sched_runtime, a slice clamped to
// [100 us, 100 ms]) is an error naming the parameter, never silently ignored.
#pragma once

#include <string>
#include <vector>

#include "workloads/workload.hpp"

namespace scxlab::workloads {

struct TaskAttrs {
  std::string role;
  int nice = 0;
  long slice_us = 0;
  std::string policy = "other";
  int rt_priority = 1;
};

// The three parameters of one role.
std::vector<ParamSpec> task_attr_params(const std::string& role);
TaskAttrs read_task_attrs(const Params& p, const std::string& role, int rt_priority);

// Applies to the calling thread; "" on success, else one line naming the parameter and why.
std::string apply_to_this_thread(const TaskAttrs& a);

}  // namespace scxlab::workloads
