#include "schedulers/foreign.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "schedulers/host_io.hpp"
#include "schedulers/sched_ext.hpp"
#include "schedulers/services.hpp"

namespace scxlab::schedulers {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStructOpsMapType = "map_type:\t26\n";  // BPF_MAP_TYPE_STRUCT_OPS
constexpr const char* kStructOpsLinkType = "link_type:\tstruct_ops\n";
constexpr std::size_t kHoldersNamed = 3;

bool is_number(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

bool holds_struct_ops(const fs::path& fdinfo_dir) {
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator(fdinfo_dir, ec)) {
    const auto info = host::read_file(fd.path().string());  // the process may be gone: no throw
    if (info.ok && (info.text.find(kStructOpsMapType) != std::string::npos ||
                    info.text.find(kStructOpsLinkType) != std::string::npos)) {
      return true;
    }
  }
  return false;
}

// /proc/<pid>/cmdline with spaces for its NULs, shortened: a scheduler run through a dynamic
// loader has the loader's comm, and only its command line names the program.
std::string command_line(const fs::path& proc_dir) {
  constexpr std::size_t kShown = 160;
  std::string text = host::read_file((proc_dir / "cmdline").string()).text;
  while (!text.empty() && text.back() == '\0') text.pop_back();
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text.size() > kShown ? text.substr(0, kShown) + "..." : text;
}

// The systemd unit a process runs in, when it is one of the scheduler managers.
std::string manager_unit(const fs::path& proc_dir) {
  const auto cgroup = host::read_file((proc_dir / "cgroup").string()).text;
  for (const char* unit : {"scx_loader.service", "scx.service"}) {
    if (cgroup.find(std::string("/") + unit) != std::string::npos) return unit;
  }
  return "";
}

std::string how_to_stop(const std::vector<OpsHolder>& holders) {
  for (const auto& h : holders) {
    if (!h.unit.empty()) {
      return fmt::format("it belongs to {0}: stop it (systemctl stop {0}) or let scxlab take over (--take-over "
                         "stops it for the run and starts it again at the end)", h.unit);
    }
  }
  if (holders.empty()) {
    return "no process holds it that scxlab can see (a pinned struct_ops link?): stop it with whatever loaded it, "
           "or turn sched_ext off with `echo S > /proc/sysrq-trigger`";
  }
  return fmt::format("stop it first (kill -INT {}) and run scxlab again", holders.front().pid);
}

}  // namespace

std::vector<OpsHolder> struct_ops_holders(const std::string& proc_root) {
  std::vector<OpsHolder> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc_root, ec)) {
    const auto name = entry.path().filename().string();
    if (!is_number(name) || !holds_struct_ops(entry.path() / "fdinfo")) continue;
    OpsHolder h;
    h.pid = static_cast<pid_t>(std::stol(name));
    h.comm = host::trim(host::read_file((entry.path() / "comm").string()).text);
    h.command = command_line(entry.path());
    h.unit = manager_unit(entry.path());
    found.push_back(std::move(h));
  }
  return found;
}

std::string describe_foreign_scheduler(const SchedExtStatus& status, const std::vector<OpsHolder>& holders) {
  std::string held;
  for (std::size_t i = 0; i < holders.size() && i < kHoldersNamed; ++i) {
    const auto& h = holders[i];
    const std::string& name = !h.command.empty() ? h.command : !h.comm.empty() ? h.comm : "?";
    held += fmt::format("{}{} (pid {}{})", held.empty() ? "" : ", ", name, h.pid, h.unit.empty() ? "" : ", " + h.unit);
  }
  if (holders.size() > kHoldersNamed) held += fmt::format(" and {} more", holders.size() - kHoldersNamed);
  return fmt::format("another BPF scheduler is loaded: ops '{}' (state {}){}; {}: a trial must "
                     "run under the scheduler it is named for",
                     status.ops.empty() ? "?" : status.ops, status.state, held.empty() ? "" : ", held by " + held,
                     how_to_stop(holders));
}

void claim_sched_ext(Journal& journal, const BackendOptions& options, const ClaimPaths& paths) {
  if (!read_sched_ext_status(paths.sched_ext).present) return;
  bool stopped_a_manager = false;
  for (const auto& manager : active_scheduler_managers(options.via_scx_loader ? "scx_loader.service" : "")) {
    if (!options.take_over || !manager.systemd_unit) {
      throw ForeignScheduler(fmt::format(
          "{} is active and would load its own BPF scheduler during the run; {}", manager.name,
          manager.systemd_unit ? fmt::format("stop it (systemctl stop {}) or let scxlab take over (--take-over stops "
                                             "it for the run and starts it again at the end)", manager.name)
                               : "stop it by hand: scxlab can only stop and restart systemd units"));
    }
    journal.stopped_service(manager.name);
    const auto r = host::run_command({"systemctl", "stop", manager.name});
    if (r.status != 0) throw ForeignScheduler(fmt::format("could not stop {}: {}", manager.name, r.last_line));
    stopped_a_manager = true;
  }
  // A stopped manager's scheduler takes a moment to unregister.
  const auto until = std::chrono::steady_clock::now() + (stopped_a_manager ? paths.settle : std::chrono::milliseconds(0));
  auto status = read_sched_ext_status(paths.sched_ext);
  while (status.state != "disabled" && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // sysfs offers no event
    status = read_sched_ext_status(paths.sched_ext);
  }
  if (status.state != "disabled") {
    throw ForeignScheduler(describe_foreign_scheduler(status, struct_ops_holders(paths.proc)));
  }
}

void claim_sched_ext(Journal& journal, const BackendOptions& options) { claim_sched_ext(journal, options, ClaimPaths{}); }

std::string loaded_scheduler_problem() {
  const auto status = read_sched_ext_status();
  if (!status.present || status.state == "disabled") return "";
  return describe_foreign_scheduler(status, struct_ops_holders());
}

}  // namespace scxlab::schedulers
