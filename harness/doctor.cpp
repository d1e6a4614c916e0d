#include "harness/doctor.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/host.hpp"
#include "harness/privileges.hpp"
#include "metrics/collector.hpp"
#include "schedulers/journal.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;
namespace {

Check kernel_check() {
  return {"kernel", true,
          fmt::format("{} (default scheduler: {})", kernel_release(),
                      schedulers::default_scheduler_name()),
          true};
}

Check root_check() {
  const auto missing = missing_capabilities();
  if (missing.empty()) return {"root", true, "running with the capabilities scxlab needs", true};
  return {"root", false,
          fmt::format("missing {}: run scxlab as root (sudo)", fmt::join(missing, ", ")), true};
}

Check sched_ext_check() {
  const auto s = schedulers::read_sched_ext_status();
  if (!s.present) {
    return {"sched_ext", false,
            "absent: /sys/kernel/sched_ext does not exist (kernel built without "
            "CONFIG_SCHED_CLASS_EXT); only the kernel default can be compared on this host"};
  }
  // A scheduler loaded now was not started by scxlab (scxlab stops its own): a run would refuse.
  if (const auto problem = schedulers::loaded_scheduler_problem(); !problem.empty()) {
    return {"sched_ext", false, "present, but " + problem, true};
  }
  return {"sched_ext", true, fmt::format("present, state {}, enable_seq {}", s.state, s.enable_seq)};
}

Check btf_check() {
  std::ifstream in("/sys/kernel/btf/vmlinux", std::ios::binary);
  char magic[2] = {};
  if (in.read(magic, 2) && static_cast<unsigned char>(magic[0]) == 0x9f && magic[1] == (char)0xeb) {
    return {"btf", true, "/sys/kernel/btf/vmlinux readable (CO-RE probes can relocate)"};
  }
  return {"btf", false, "/sys/kernel/btf/vmlinux missing or unreadable (CONFIG_DEBUG_INFO_BTF): "
                        "BPF probes cannot load"};
}

Check bpf_load_check() {
  const int rc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCKET_FILTER, nullptr);
  if (rc > 0) return {"bpf.load", true, "a BPF program loads"};
  return {"bpf.load", false,
          fmt::format("loading a BPF program failed: {}", rc < 0 ? std::strerror(-rc) : "unsupported")};
}

Check bpffs_check() {
  struct statfs st{};
  if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC) {
    return {"bpffs", true, "mounted at /sys/fs/bpf"};
  }
  return {"bpffs", false,
          "not mounted at /sys/fs/bpf (scxlab does not pin; some sched_ext schedulers do: "
          "mount -t bpf bpf /sys/fs/bpf)"};
}

// Probes the fair-class debugfs tunables on a private debugfs mount, so the host's own
// mounts are not touched; the restore journal records the mount before it is made, so a
// doctor killed mid-probe leaves the next scxlab to unmount it. Writing a value back is the
// only honest writability probe; the value written is the one just read, so nothing changes.
std::vector<Check> debugfs_checks() {
  char dir[] = "/tmp/scxlab-debugfs-XXXXXX";
  if (!mkdtemp(dir)) return {{"debugfs.sched", false, std::string("mkdtemp: ") + std::strerror(errno)}};
  std::optional<schedulers::Journal> journal;
  try {
    journal.emplace();
    journal->mounted(dir);
  } catch (const std::exception& e) {
    rmdir(dir);
    return {{"debugfs.sched", false, fmt::format("not probed: {}", e.what())}};
  }
  std::vector<Check> checks;
  if (mount("none", dir, "debugfs", 0, nullptr) != 0) {
    checks.push_back({"debugfs.sched", false, std::string("cannot mount debugfs: ") + std::strerror(errno)});
    journal->forget("mount", dir);
    rmdir(dir);
    return checks;
  }
  for (const char* knob : {"base_slice_ns", "migration_cost_ns", "nr_migrate"}) {
    const auto path = fmt::format("{}/sched/{}", dir, knob);
    std::string value;
    {
      std::ifstream in(path);
      if (!(in >> value)) {
        checks.push_back({fmt::format("debugfs.{}", knob), false,
                          fmt::format("not readable: {}", std::strerror(errno))});
        continue;
      }
    }
    std::ofstream out(path);
    out << value << std::flush;
    const bool writable = out.good();
    checks.push_back({fmt::format("debugfs.{}", knob), writable,
                      writable ? fmt::format("readable ({}) and writable", value)
                               : fmt::format("readable ({}) but writing is refused", value)});
  }
  umount2(dir, MNT_DETACH);
  journal->forget("mount", dir);
  rmdir(dir);
  return checks;
}

// glibc 2.36 has no wrapper for sched_setattr; the struct is the kernel's.
struct SchedAttr {
  std::uint32_t size, policy;
  std::uint64_t flags;
  std::int32_t nice;
  std::uint32_t priority;
  std::uint64_t runtime, deadline, period;
  std::uint32_t util_min, util_max;
};

// In a child, so scxlab's own attributes never change.
Check custom_slice_check() {
  constexpr std::uint64_t kSlice = 300000;
  const pid_t pid = fork();
  if (pid == 0) {
    SchedAttr attr{sizeof(SchedAttr), SCHED_NORMAL, 0, 0, 0, kSlice, 0, 0, 0, 0};
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) _exit(10 + errno % 100);
    SchedAttr back{};
    if (syscall(SYS_sched_getattr, 0, &back, sizeof back, 0) != 0) _exit(2);
    _exit(back.runtime == kSlice ? 0 : 3);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0) return {"sched_setattr.slice", true, "SCHED_OTHER custom slice (sched_runtime) accepted and read back"};
  if (code == 3) return {"sched_setattr.slice", false, "accepted but not read back: this kernel ignores a custom slice (needs 6.12+)"};
  if (code >= 10) return {"sched_setattr.slice", false, fmt::format("refused: {}", std::strerror(code - 10))};
  return {"sched_setattr.slice", false, "probe failed"};
}

std::vector<std::string> scx_binaries_on_path() {
  std::set<std::string> found;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = dirs.find(':', start);
    const fs::path dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto name = entry.path().filename().string();
      if (name.rfind("scx_", 0) == 0 && access(entry.path().c_str(), X_OK) == 0) found.insert(name);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {found.begin(), found.end()};
}

Check scx_binaries_check() {
  const auto bins = scx_binaries_on_path();
  if (bins.empty()) return {"scx.binaries", false, "no scx_* scheduler on PATH (install the scx package)"};
  return {"scx.binaries", true, fmt::format("{}", fmt::join(bins, " "))};
}

// Names of running processes whose comm matches one of `names`.
std::vector<std::string> running(const std::set<std::string>& names) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto comm = read_first_line(entry.path().string() + "/comm");
    if (names.count(comm)) hits.push_back(fmt::format("{} (pid {})", comm, entry.path().filename().string()));
  }
  return hits;
}

Check scx_service_check() {
  const auto holders = running({"scx_loader", "scx.service"});
  if (holders.empty()) return {"scx.service", true, "neither scx.service nor scx_loader is running"};
  return {"scx.service", false,
          fmt::format("{} manages schedulers: scxlab refuses to start beside it (use --take-over)",
                      fmt::join(holders, ", "))};
}

}  // namespace

std::vector<Check> run_doctor_checks() {
  std::vector<Check> checks = {kernel_check(), root_check(), sched_ext_check(), btf_check(),
                               bpf_load_check(), bpffs_check()};
  for (const auto& cap : metrics::probe_capabilities(metrics::CollectorOptions{})) {
    checks.push_back({cap.name, cap.available, cap.available ? "available" : cap.reason});
  }
  for (auto& c : debugfs_checks()) checks.push_back(std::move(c));
  checks.push_back(custom_slice_check());
  checks.push_back(scx_binaries_check());
  checks.push_back(scx_service_check());
  return checks;
}

nlohmann::json checks_to_json(const std::vector<Check>& checks) {
  auto items = nlohmann::json::array();
  bool can_run = true;
  for (const auto& c : checks) {
    items.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}, {"required", c.required}});
    if (c.required && !c.ok) can_run = false;
  }
  return {{"checks", items}, {"shootout_can_run", can_run}};
}

int doctor_command(bool json) {
  const auto checks = run_doctor_checks();
  auto doc = checks_to_json(checks);
  const bool can_run = doc["shootout_can_run"].get<bool>();
  const auto hw = hardware_class(host_fingerprint());
  doc["hardware_class"] = {{"id", hw.id}, {"description", hw.description}};
  if (json) {
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << "scxlab doctor: what this host can do\n";
    // A fleet pools the trials of hosts of one class: the id to give `--fleet`.
    std::cout << fmt::format("  hardware class {} ({})\n", hw.id, hw.description);
    for (const auto& c : checks) {
      std::cout << fmt::format("  {:<4} {:<24} {}\n", c.ok ? "ok" : (c.required ? "FAIL" : "no"), c.name, c.detail);
    }
    std::cout << (can_run ? "A shootout can run on this host.\n"
                          : "A shootout cannot run until the FAIL items are fixed.\n");
  }
  return can_run ? 0 : 1;
}

}  // namespace scxlab::harness
