// Who else manages sched_ext schedulers on this host: scx.service and scx_loader.service under
// systemd, or an scx_loader daemon running without it. Internal.
#pragma once

#include <string>
#include <vector>

namespace scxlab::schedulers {

struct SchedulerManager {
  std::string name;        // "scx.service", "scx_loader.service", "scx_loader (pid 123)"
  bool systemd_unit = false;  // can be stopped and started again with systemctl
};

bool systemd_running();  // PID 1 is systemd (sd_booted(3): /run/systemd/system exists)

// The managers that are active now, except `ignore` (the scx_loader backend uses the loader).
std::vector<SchedulerManager> active_scheduler_managers(const std::string& ignore = "");

}  // namespace scxlab::schedulers
