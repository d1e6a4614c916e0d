// What a sched_ext scheduler may change on the host besides the scheduler itself, and restores
// only when it exits cleanly: per-CPU energy_performance_preference (scx_p2dq's performance and
// efficiency modes), intel_pstate no_turbo (scx_p2dq), the uncore frequency limits (scx_p2dq),
// per-CPU PM QoS resume latency (scx_bpfland -I, scx_flash by default, scx_p2dq, scx_layered),
// vm.compact_unevictable_allowed (scx_rustland); and the cpufreq governor, frequency limits
// and boost, which the upstream schedulers only read but another scheduler may write. A killed
// scheduler leaves them changed.
//
// snapshot() records every such file this host has, in one durable journal write, before the
// scheduler starts; restore() after it is gone writes back only what differs and says so. If
// scxlab dies in between, the journal's replay (next start, or `scxlab restore`) does it.
// Internal to the schedulers library; the roots are parameters so tests use a fake tree.
#pragma once

#include <string>
#include <vector>

#include "schedulers/journal.hpp"
#include "schedulers/sched_ext.hpp"

namespace scxlab::schedulers {

struct HardwareFile {
  std::string path;
  std::string label;  // for the user: "cpu3 EPP", "policy0 scaling_governor"
};

// Where those files would be under the roots (not every host has them), in the order they are
// recorded. Restoring goes in reverse, so turbo and the governors come back before the limits
// and EPP they constrain (intel_pstate refuses an EPP other than 'performance' under the
// performance governor; no_turbo lowers what scaling_max_freq reads).
std::vector<HardwareFile> hardware_files(const std::string& cpu_sysfs, const std::string& proc_sys);

class HardwareState {
 public:
  HardwareState(Journal& journal, const HostPaths& paths);

  // Reads every file of hardware_files() that exists and can be read (the others are skipped)
  // and journals them in one write. Throws std::runtime_error when the journal cannot be
  // written: then the scheduler must not start.
  void snapshot();
  // Writes back each recorded value the file no longer holds, drops the files that are back
  // from the journal (one write) and returns one note per file written or not restorable.
  // A file that could not be restored stays journaled for the next replay.
  std::vector<std::string> restore();
  size_t recorded() const { return recorded_.size(); }

 private:
  struct Recorded {
    HardwareFile file;
    std::string value;
  };
  Journal& journal_;
  std::string cpu_sysfs_;
  std::string proc_sys_;
  std::vector<Recorded> recorded_;
};

}  // namespace scxlab::schedulers
