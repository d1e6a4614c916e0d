#include "schedulers/services.hpp"

#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>

#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {
namespace fs = std::filesystem;

bool systemd_running() { return ::access("/run/systemd/system", F_OK) == 0; }

std::vector<SchedulerManager> active_scheduler_managers(const std::string& ignore) {
  std::vector<SchedulerManager> found;
  if (systemd_running()) {
    for (const std::string unit : {"scx.service", "scx_loader.service"}) {
      if (unit != ignore && host::run_command({"systemctl", "is-active", "--quiet", unit}).status == 0) {
        found.push_back({unit, true});
      }
    }
    return found;
  }
  // Without systemd nothing restarts a scheduler behind our back but a loader daemon itself.
  if (ignore == "scx_loader.service") return found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const auto pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (host::trim(host::read_file(e.path().string() + "/comm").text) == "scx_loader") {
      found.push_back({fmt::format("scx_loader (pid {}, not under systemd)", pid), false});
    }
  }
  return found;
}

}  // namespace scxlab::schedulers
