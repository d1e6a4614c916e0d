#include "harness/host.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include <sys/utsname.h>
#include <unistd.h>

#include "base/files.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::harness {
namespace {

// "key : value" lines of /proc/cpuinfo for the first CPU.
std::map<std::string, std::string> first_cpuinfo() {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line) && !line.empty();) {
    const auto colon = line.find(':');
    if (colon != std::string::npos) fields[base::trim(line.substr(0, colon))] = base::trim(line.substr(colon + 1));
  }
  return fields;
}

long long meminfo_kib(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  for (std::string name; in >> name;) {
    long long value = 0;
    std::string unit;
    in >> value >> unit;
    if (name == key + ":") return value;
  }
  return 0;
}

// cpu0's highest cache level's size as sysfs writes it ("32768K"); "" without cache files.
std::string last_level_cache_size() {
  std::string size;
  int best = -1;
  std::error_code ec;
  for (const auto& index : std::filesystem::directory_iterator("/sys/devices/system/cpu/cpu0/cache", ec)) {
    const auto level = read_first_line((index.path() / "level").string());
    if (level.empty() || read_first_line((index.path() / "type").string()) == "Instruction") continue;
    if (std::atoi(level.c_str()) > best) {
      best = std::atoi(level.c_str());
      size = read_first_line((index.path() / "size").string());
    }
  }
  return size;
}

nlohmann::json topology() {
  const unsigned cpus = std::thread::hardware_concurrency();
  std::set<std::string> packages, cores, llcs;
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    const auto base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu);
    const auto package = read_first_line(base + "/topology/physical_package_id");
    packages.insert(package);
    cores.insert(package + ":" + read_first_line(base + "/topology/core_id"));
    const auto llc = read_first_line(base + "/cache/index3/shared_cpu_list");
    llcs.insert(llc.empty() ? read_first_line(base + "/cache/index2/shared_cpu_list") : llc);
  }
  return {{"cpus", cpus},
          {"packages", packages.size()},
          {"cores", cores.size()},
          {"llc_groups", llcs.size()},
          {"smt", cores.size() < cpus}};
}

// FNV-1a, 64 bits: a hash whose value is the same on every machine and compiler (std::hash's
// is not), for an id that hosts compare.
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return base::trim(line);
}

std::string scxlab_version() { return fmt::format("{} (commit {})", SCXLAB_VERSION, build_commit()); }

std::string hostname() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

std::string kernel_release() {
  utsname u{};
  uname(&u);
  return u.release;
}

nlohmann::json host_fingerprint() {
  utsname u{};
  uname(&u);
  const auto cpu = first_cpuinfo();
  const auto governor = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  const auto scx = schedulers::read_sched_ext_status();
  const bool hypervisor = cpu.count("flags") && cpu.at("flags").find("hypervisor") != std::string::npos;
  nlohmann::json fingerprint = {{"hostname", hostname()},
                                {"kernel", u.release},
                                {"kernel_version", u.version},
                                {"arch", u.machine},
                                {"cpu_model", cpu.count("model name") ? cpu.at("model name") : "unknown"},
                                {"virtualized", hypervisor},
                                {"topology", topology()},
                                {"llc_size", last_level_cache_size()},
                                {"memory_mib", meminfo_kib("MemTotal") / 1024},
                                {"governor", governor.empty() ? "n/a (no cpufreq on this host)" : governor},
                                {"default_scheduler", schedulers::default_scheduler_name()},
                                {"sched_ext", scx.present ? scx.state : "absent"},
                                {"scxlab_version", scxlab_version()}};
  fingerprint["hardware_class"] = hardware_class(fingerprint).id;
  return fingerprint;
}

HardwareClass hardware_class(const nlohmann::json& fp) {
  const auto& t = fp.at("topology");
  const auto llc = fp.value("llc_size", std::string());
  const auto gib = static_cast<long long>(std::llround(fp.at("memory_mib").get<double>() / 1024));
  const auto description =
      fmt::format("{}, {} CPUs, {} cores, {} package{}, {} LLC group{}{}, {} SMT, {} GiB, Linux {} {}",
                  fp.at("cpu_model").get<std::string>(), t.at("cpus").get<int>(), t.at("cores").get<int>(),
                  t.at("packages").get<int>(), t.at("packages").get<int>() == 1 ? "" : "s",
                  t.at("llc_groups").get<int>(), t.at("llc_groups").get<int>() == 1 ? "" : "s",
                  llc.empty() ? "" : " of " + llc, t.at("smt").get<bool>() ? "with" : "no", gib,
                  fp.at("kernel").get<std::string>(), fp.at("arch").get<std::string>());
  return {fmt::format("hw-{:012x}", stable_hash(description) >> 16), description};
}

}  // namespace scxlab::harness
