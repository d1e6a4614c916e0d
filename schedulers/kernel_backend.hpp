// The kernel's default fair scheduler as a backend: nothing to load, but knobs to set where
// the host allows it (debugfs files, sysctls), each journaled with its old value before the
// write and restored on stop(), and per-task knobs handed to the workload. Internal.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schedulers/mounts.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

struct KernelPaths {
  std::string debugfs = "/sys/kernel/debug";  // the debugfs mount point
  std::string proc_sys = "/proc/sys";
  std::string mounts = "/proc/self/mounts";
  std::string sched_ext = "/sys/kernel/sched_ext";
  std::string proc = "/proc";
};

// The kernel default serves only while sched_ext is disabled: start() refuses, and check()
// (before and after every trial) fails the trial, when a BPF scheduler is loaded or was
// loaded and unloaded meanwhile (enable_seq moved), naming it.
class KernelBackend : public Backend {
 public:
  // Probes every host knob now (mounting debugfs first if it is absent and a knob needs it;
  // the mount is journaled and undone by stop()).
  KernelBackend(const Manifest& m, Journal& journal, KernelPaths paths = {});
  ~KernelBackend() override;

  void start(const Config& config) override;
  Health check() override;
  std::vector<std::string> stop() override;
  std::string name() const override;
  std::string version() const override;
  std::map<std::string, std::string> workload_params(const Config& config) const override;
  std::vector<Unavailable> unavailable_knobs() const override;

  std::string knob_path(const Knob& k) const;  // the file behind a debugfs or sysctl knob

 private:
  void mount_debugfs_if_needed();
  void probe();
  std::vector<std::string> restore_writes();
  std::string why_not_serving();  // "" while sched_ext stayed disabled since the last look

  Manifest manifest_;
  Journal& journal_;
  KernelPaths paths_;
  std::unique_ptr<TemporaryMount> debugfs_;  // while a knob needs it
  std::vector<Unavailable> unavailable_;
  std::vector<std::pair<std::string, std::string>> written_;  // path, old value, in write order
  unsigned long long enable_seq_ = 0;  // sched_ext's enable_seq at the last look
};

}  // namespace scxlab::schedulers
