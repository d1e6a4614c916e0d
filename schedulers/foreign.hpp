// A BPF scheduler that scxlab did not start: who holds it and how to stop it, so that no trial
// is ever measured under a scheduler other than the one it is labelled with. Internal.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

// A process holding a BPF struct_ops map or link: a loaded sched_ext scheduler keeps both.
struct OpsHolder {
  pid_t pid = 0;
  std::string comm;     // /proc/<pid>/comm
  std::string command;  // its command line, words joined by spaces (a loader's names the program)
  std::string unit;  // "scx.service", "scx_loader.service" when its cgroup says so, else ""
};

// Every process with a struct_ops map (map_type 26) or struct_ops link open, from
// /proc/<pid>/fdinfo under `proc_root`. TCP congestion-control struct_ops count too; callers
// name what they find rather than act on it.
std::vector<OpsHolder> struct_ops_holders(const std::string& proc_root = "/proc");

// One line: the loaded ops, the process(es) holding it when known, and how to stop it
// (`systemctl stop ...` or --take-over when a manager owns it).
std::string describe_foreign_scheduler(const SchedExtStatus& status, const std::vector<OpsHolder>& holders);

// claim_sched_ext (scheduler.hpp) with its paths as parameters, for tests on a sysfs double.
struct ClaimPaths {
  std::string sched_ext = "/sys/kernel/sched_ext";
  std::string proc = "/proc";
  std::chrono::milliseconds settle{30000};  // bound for a stopped manager's scheduler to unload
};
void claim_sched_ext(Journal& journal, const BackendOptions& options, const ClaimPaths& paths);

}  // namespace scxlab::schedulers
