// The hardware state a scheduler may change: snapshotted into the journal, written back only
// where it changed, on a clean stop and after scxlab is SIGKILLed. Against a fake sysfs tree
// (several CPUs, cpufreq policies, intel_pstate, uncore, PM QoS, the VM sysctl), and for PM QoS
// and the VM sysctl against this host's own files too.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "schedulers/hardware_state.hpp"
#include "schedulers/host_io.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using namespace scxlab::schedulers::test;
namespace fs = std::filesystem;

namespace {

const auto kLongAgo = fs::file_time_type::clock::now() - std::chrono::hours(24 * 365);

// An Intel host as its sysfs shows it: one cpufreq policy per CPU (intel_pstate), no_turbo,
// two uncore domains, PM QoS per CPU; no cpufreq/boost (intel_pstate has none).
struct FakeTree {
  TempDir dir;
  HostPaths paths;
  explicit FakeTree(int cpus) {
    paths.cpu_sysfs = dir / "cpu";
    paths.proc = dir / "proc";
    for (int i = 0; i < cpus; ++i) {
      const auto cpu = paths.cpu_sysfs + "/cpu" + std::to_string(i);
      write_text(cpu + "/power/pm_qos_resume_latency_us", "0\n");
      write_text(cpu + "/cpufreq/energy_performance_preference", "balance_performance\n");
      const auto policy = paths.cpu_sysfs + "/cpufreq/policy" + std::to_string(i);
      write_text(policy + "/scaling_governor", "powersave\n");
      write_text(policy + "/scaling_min_freq", "800000\n");
      write_text(policy + "/scaling_max_freq", "4500000\n");
    }
    write_text(paths.cpu_sysfs + "/cpuidle/current_driver", "intel_idle\n");  // "cpu..." but not a CPU
    write_text(paths.cpu_sysfs + "/intel_pstate/no_turbo", "0\n");
    for (const char* domain : {"package_00_die_00", "package_01_die_00"}) {
      const auto d = paths.cpu_sysfs + "/intel_uncore_frequency/" + domain;
      write_text(d + "/initial_max_freq_khz", "2400000\n");
      write_text(d + "/min_freq_khz", "800000\n");
      write_text(d + "/max_freq_khz", "2400000\n");
    }
    write_text(paths.proc + "/sys/vm/compact_unevictable_allowed", "1\n");
  }
  std::string file(const std::string& relative) const { return paths.cpu_sysfs + "/" + relative; }

  template <typename Visit>
  void each_file(Visit visit) const {
    for (const auto& root : {paths.cpu_sysfs, paths.proc}) {
      for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (e.is_regular_file()) visit(e.path());
      }
    }
  }
  std::map<std::string, std::string> contents() const {
    std::map<std::string, std::string> all;
    each_file([&](const fs::path& p) { all[p.string()] = read_text(p.string()); });
    return all;
  }
  void age_every_file() const {
    each_file([](const fs::path& p) { fs::last_write_time(p, kLongAgo); });
  }
  std::set<std::string> written_since_aged() const {
    std::set<std::string> written;
    each_file([&](const fs::path& p) {
      if (fs::last_write_time(p) != kLongAgo) written.insert(p.string());
    });
    return written;
  }
};

// What scx_p2dq --sched-mode efficiency/performance, scx_bpfland -I and scx_rustland leave
// behind when they are killed, plus a governor someone switched.
std::set<std::string> act_like_schedulers(const FakeTree& host) {
  const std::map<std::string, std::string> changes{
      {host.file("cpu1/cpufreq/energy_performance_preference"), "performance\n"},
      {host.file("cpu2/cpufreq/energy_performance_preference"), "performance\n"},
      {host.file("intel_pstate/no_turbo"), "1\n"},
      {host.file("intel_uncore_frequency/package_00_die_00/max_freq_khz"), "800000\n"},
      {host.file("cpu0/power/pm_qos_resume_latency_us"), "100\n"},
      {host.file("cpufreq/policy1/scaling_governor"), "performance\n"},
      {host.paths.proc + "/sys/vm/compact_unevictable_allowed", "0\n"},
  };
  std::set<std::string> paths;
  for (const auto& [path, value] : changes) {
    REQUIRE(host::write_file(path, value).ok);
    paths.insert(path);
  }
  return paths;
}

// Newest recorded first: turbo and governors before the limits and EPP they constrain.
const std::vector<std::string> kRestoredNotes{
    "restored intel_pstate no_turbo to '0' (the scheduler had left '1')",
    "restored policy1 scaling_governor to 'powersave' (the scheduler had left 'performance')",
    "restored cpu2 EPP to 'balance_performance' (the scheduler had left 'performance')",
    "restored cpu1 EPP to 'balance_performance' (the scheduler had left 'performance')",
    "restored uncore package_00_die_00 max_freq_khz to '2400000' (the scheduler had left '800000')",
    "restored cpu0 pm_qos_resume_latency_us to '0' (the scheduler had left '100')",
    "restored vm.compact_unevictable_allowed to '1' (the scheduler had left '0')",
};

// Files of a 4-CPU FakeTree: the sysctl, 4 PM QoS, 2x2 uncore limits, 4 EPP, 4x2 frequency
// limits, 4 governors, no_turbo.
constexpr size_t kFourCpuFiles = 1 + 4 + 4 + 4 + 8 + 4 + 1;

// scxlab as a SIGKILL finds it: a process that snapshotted the hardware state into the
// journal, then waits, never restoring it.
pid_t snapshot_in_holder(const std::string& journal_path, const HostPaths& paths) {
  return start_in_holder([&] {
           auto& journal = *new Journal(journal_path);  // never destroyed: dies with the holder
           (new HardwareState(journal, paths))->snapshot();
           return ::getpid();
         })
      .first;
}

void sigkill(pid_t holder) {
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
}

// A read that fails (a directory where the file should be: read(2) says EISDIR).
void make_unreadable(const std::string& path) {
  fs::remove(path);
  fs::create_directories(path);
}

}  // namespace

TEST_CASE("hardware state: what a scheduler left changed is written back on stop, and nothing else") {
  FakeTree host(4);
  make_unreadable(host.file("cpu3/cpufreq/energy_performance_preference"));
  const auto before = host.contents();
  Journal journal(host.dir / "journal.json");
  HardwareState state(journal, host.paths);
  state.snapshot();

  CHECK(state.recorded() == kFourCpuFiles - 1);  // cpu3's EPP could not be read: not recorded
  const auto entries = journal_entries_on_disk(journal.path());
  REQUIRE(entries.size() == kFourCpuFiles - 1);
  for (const auto& e : entries) {
    CHECK(e.at("path") != host.file("cpu3/cpufreq/energy_performance_preference"));
    CHECK(e.at("path") != host.file("cpufreq/boost"));  // absent here: skipped silently
    CHECK(e.at("path") != host.file("cpuidle/current_driver"));
  }

  const auto changed = act_like_schedulers(host);
  host.age_every_file();
  const auto notes = state.restore();
  CHECK(notes == kRestoredNotes);
  CHECK(host.contents() == before);
  CHECK(host.written_since_aged() == changed);  // unchanged files were not written
  CHECK(journal.empty());
  CHECK(journal_entries_on_disk(journal.path()).empty());
  CHECK(state.restore().empty());  // restored once: a second stop has nothing to do
}

TEST_CASE("hardware state: a value that cannot be written back is reported and stays journaled") {
  FakeTree host(2);
  Journal journal(host.dir / "journal.json");
  HardwareState state(journal, host.paths);
  state.snapshot();
  const auto epp = host.file("cpu1/cpufreq/energy_performance_preference");
  make_unreadable(epp);  // and unwritable: open(O_WRONLY) of a directory fails with EISDIR
  const auto notes = state.restore();
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "could not restore cpu1 EPP (" + epp + ") to 'balance_performance': Is a directory (EISDIR); "
                    "the restore journal keeps it for the next start or `scxlab restore`");
  REQUIRE(journal.entries().size() == 1);
  CHECK(journal.entries()[0].path == epp);
  CHECK(journal_entries_on_disk(journal.path()).size() == 1);
}

TEST_CASE("hardware state: after scxlab is SIGKILLed the next start's journal puts every value back") {
  FakeTree host(4);
  const auto before = host.contents();
  const auto journal_path = host.dir / "journal.json";
  const pid_t holder = snapshot_in_holder(journal_path, host.paths);
  const auto changed = act_like_schedulers(host);
  host.age_every_file();
  sigkill(holder);
  CHECK(journal_entries_on_disk(journal_path).size() == kFourCpuFiles);

  Journal next(journal_path);
  const auto lines = next.replay();
  REQUIRE(lines.size() == changed.size() + 1);
  CHECK(lines[0] == "restored " + host.file("intel_pstate/no_turbo") + " to '0'");
  CHECK(lines.back() == std::to_string(kFourCpuFiles - changed.size()) +
                            " recorded files still held their recorded values: left alone");
  CHECK(host.contents() == before);
  CHECK(host.written_since_aged() == changed);
  CHECK(journal_entries_on_disk(journal_path).empty());
}

TEST_CASE("hardware state: a many-CPU host is snapshotted and restored with one journal write each") {
  FakeTree host(64);
  Journal journal(host.dir / "journal.json");
  ReplacementCounter writes(journal.path());
  HardwareState state(journal, host.paths);
  state.snapshot();
  CHECK(writes.take() == 1);
  CHECK(state.recorded() == 1 + 64 + 4 + 64 + 128 + 64 + 1);
  CHECK(journal_entries_on_disk(journal.path()).size() == state.recorded());
  act_like_schedulers(host);
  CHECK(state.restore().size() == kRestoredNotes.size());
  CHECK(writes.take() == 1);
  CHECK(journal_entries_on_disk(journal.path()).empty());
}

namespace {

// This host's own file, put back at scope exit whatever the test did (the checks come first).
struct HostFile {
  std::string path;
  std::string value;
  explicit HostFile(std::string p) : path(std::move(p)), value(host::read_file(path).text) {}
  ~HostFile() { host::write_file(path, value); }
  std::string now() const { return host::read_file(path).text; }
  std::string other_value(const std::string& a, const std::string& b) const { return host::trim(value) == a ? b : a; }
};

}  // namespace

TEST_CASE("hardware state on this host: PM QoS and the VM sysctl a scheduler changed come back") {
  const HostPaths real;
  const auto pm_qos_path = real.cpu_sysfs + "/cpu0/power/pm_qos_resume_latency_us";
  const auto sysctl_path = real.proc + "/sys/vm/compact_unevictable_allowed";
  if (!host::read_file(pm_qos_path).ok || !host::read_file(sysctl_path).ok) {
    // The marker makes CTest report the test as skipped (SKIP_REGULAR_EXPRESSION).
    std::cout << "SCXLAB-SKIPPED: this host has no readable " << pm_qos_path << " or " << sysctl_path << std::endl;
    return;
  }
  TempDir dir;
  const HostFile pm_qos(pm_qos_path), sysctl(sysctl_path);
  const auto scheduler_pm_qos = pm_qos.other_value("100", "200");  // what scx_bpfland -I 100 writes
  const auto scheduler_sysctl = sysctl.other_value("0", "1");       // scx_rustland writes 0
  const auto act = [&] {
    REQUIRE(host::write_file(pm_qos_path, scheduler_pm_qos).ok);
    REQUIRE(host::write_file(sysctl_path, scheduler_sysctl).ok);
  };

  SECTION("a clean stop") {
    Journal journal(dir / "journal.json");
    HardwareState state(journal, real);
    state.snapshot();
    act();
    const auto notes = state.restore();
    CHECK(std::count(notes.begin(), notes.end(),
                     "restored cpu0 pm_qos_resume_latency_us to '" + host::trim(pm_qos.value) +
                         "' (the scheduler had left '" + scheduler_pm_qos + "')") == 1);
    CHECK(std::count(notes.begin(), notes.end(),
                     "restored vm.compact_unevictable_allowed to '" + host::trim(sysctl.value) +
                         "' (the scheduler had left '" + scheduler_sysctl + "')") == 1);
    CHECK(journal.empty());
  }
  SECTION("scxlab SIGKILLed, the next start replays") {
    const pid_t holder = snapshot_in_holder(dir / "journal.json", real);
    act();
    sigkill(holder);
    Journal next(dir / "journal.json");
    const auto lines = next.replay();
    CHECK(std::count(lines.begin(), lines.end(),
                     "restored " + pm_qos_path + " to '" + host::trim(pm_qos.value) + "'") == 1);
    CHECK(std::count(lines.begin(), lines.end(),
                     "restored " + sysctl_path + " to '" + host::trim(sysctl.value) + "'") == 1);
  }
  CHECK(pm_qos.now() == pm_qos.value);
  CHECK(sysctl.now() == sysctl.value);
}
