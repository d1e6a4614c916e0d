#include "schedulers/hardware_state.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {
namespace fs = std::filesystem;
namespace {

// The entries "<prefix><N>" of a directory (cpu0, cpu1, ... or policy0, ...), by N.
std::vector<std::string> numbered_entries(const std::string& dir, const std::string& prefix) {
  std::vector<std::pair<unsigned long, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (name.size() <= prefix.size() || name.rfind(prefix, 0) != 0 ||
        name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) {
      continue;
    }
    found.emplace_back(std::stoul(name.substr(prefix.size())), std::move(name));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& f : found) names.push_back(std::move(f.second));
  return names;
}

std::vector<std::string> subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string restored_note(const HardwareFile& file, const std::string& old, const host::Restored& r) {
  if (r.outcome == host::Restored::kFailed) {
    return fmt::format("could not restore {} ({}) to '{}': {}; the restore journal keeps it for the next start or "
                       "`scxlab restore`",
                       file.label, file.path, host::trim(old), host::errno_text(r.err));
  }
  return fmt::format("restored {} to '{}' ({})", file.label, host::trim(old),
                     r.found ? fmt::format("the scheduler had left '{}'", host::trim(*r.found))
                             : std::string("it could not be read to compare"));
}

}  // namespace

std::vector<HardwareFile> hardware_files(const std::string& cpu_sysfs, const std::string& proc_sys) {
  std::vector<HardwareFile> files;
  const auto add = [&](std::string path, std::string label) { files.push_back({std::move(path), std::move(label)}); };
  add(proc_sys + "/vm/compact_unevictable_allowed", "vm.compact_unevictable_allowed");
  const auto cpus = numbered_entries(cpu_sysfs, "cpu");
  for (const auto& cpu : cpus) {
    add(fmt::format("{}/{}/power/pm_qos_resume_latency_us", cpu_sysfs, cpu), cpu + " pm_qos_resume_latency_us");
  }
  const auto uncore = cpu_sysfs + "/intel_uncore_frequency";
  for (const auto& domain : subdirectories(uncore)) {
    for (const char* limit : {"min_freq_khz", "max_freq_khz"}) {
      add(fmt::format("{}/{}/{}", uncore, domain, limit), fmt::format("uncore {} {}", domain, limit));
    }
  }
  for (const auto& cpu : cpus) {
    add(fmt::format("{}/{}/cpufreq/energy_performance_preference", cpu_sysfs, cpu), cpu + " EPP");
  }
  const auto cpufreq = cpu_sysfs + "/cpufreq";
  const auto policies = numbered_entries(cpufreq, "policy");
  for (const auto& policy : policies) {
    for (const char* limit : {"scaling_min_freq", "scaling_max_freq"}) {
      add(fmt::format("{}/{}/{}", cpufreq, policy, limit), fmt::format("{} {}", policy, limit));
    }
  }
  for (const auto& policy : policies) {
    add(fmt::format("{}/{}/scaling_governor", cpufreq, policy), policy + " scaling_governor");
  }
  add(cpu_sysfs + "/intel_pstate/no_turbo", "intel_pstate no_turbo");
  add(cpufreq + "/boost", "cpufreq boost");
  return files;
}

HardwareState::HardwareState(Journal& journal, const HostPaths& paths)
    : journal_(journal), cpu_sysfs_(paths.cpu_sysfs), proc_sys_(paths.proc + "/sys") {}

void HardwareState::snapshot() {
  std::vector<Recorded> recorded;
  std::vector<FileValue> values;
  for (auto& file : hardware_files(cpu_sysfs_, proc_sys_)) {
    const auto r = host::read_file(file.path);
    if (!r.ok) continue;  // not on this host, or unreadable: nothing a scheduler could change
    values.push_back({file.path, r.text});
    recorded.push_back({std::move(file), r.text});
  }
  if (!values.empty()) journal_.will_write_files(values);
  recorded_ = std::move(recorded);
}

std::vector<std::string> HardwareState::restore() {
  struct Attempt {
    const Recorded* recorded;
    host::Restored result;
  };
  std::vector<Attempt> attempts;
  for (auto it = recorded_.rbegin(); it != recorded_.rend(); ++it) {
    attempts.push_back({&*it, host::restore_file(it->file.path, it->value)});
  }
  // A write refused for its order (an EPP under the performance governor, a minimum above the
  // maximum) may pass now that everything else is back.
  for (auto& a : attempts) {
    if (a.result.outcome != host::Restored::kFailed) continue;
    const auto again = host::restore_file(a.recorded->file.path, a.recorded->value);
    a.result.err = again.err;
    if (again.outcome != host::Restored::kFailed) a.result.outcome = host::Restored::kWritten;
  }
  std::vector<std::string> notes;
  std::vector<std::string> back;  // as found now: dropped from the journal
  for (const auto& a : attempts) {
    if (a.result.outcome != host::Restored::kUnchanged) notes.push_back(restored_note(a.recorded->file, a.recorded->value, a.result));
    if (a.result.outcome != host::Restored::kFailed) back.push_back(a.recorded->file.path);
  }
  try {
    journal_.forget_all("file", back);
  } catch (const std::exception& e) {
    notes.push_back(e.what());
  }
  recorded_.clear();
  return notes;
}

}  // namespace scxlab::schedulers
