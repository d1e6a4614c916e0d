// sched_ext backends. SchedExtBackend holds what every way of loading a BPF scheduler shares:
// refusing to start beside another BPF scheduler or a scheduler manager, the hardware state a
// scheduler may change (hardware_state.hpp), verifying that it serves, watching for its
// ejection, verifying the kernel default is back, and SysRq-S as the very last resort.
// ScxProcessBackend runs the scheduler binary as scxlab's child. Internal.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schedulers/hardware_state.hpp"
#include "schedulers/mounts.hpp"
#include "schedulers/sched_ext.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

struct Timing {
  std::chrono::milliseconds poll{100};         // sysfs polling period
  std::chrono::milliseconds attach{120000};    // start(): bound for "serving" (make_backend: the manifest's)
  std::chrono::milliseconds signal_grace{5000};  // stop(): per signal
  std::chrono::milliseconds disable{5000};     // stop(): bound for state == disabled
  std::chrono::milliseconds explain{2000};     // check(): wait for the kernel's and the scheduler's reason
};

class SchedExtBackend : public Backend {
 public:
  std::string name() const override { return manifest_.name; }
  std::string version() const override { return ops_; }  // Rust schedulers' ops names carry their version
  std::map<std::string, std::string> workload_params(const Config&) const override { return {}; }
  std::vector<Unavailable> unavailable_knobs() const override { return {}; }

 protected:
  SchedExtBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths, Timing timing);

  // Throws StartError when sched_ext is absent, a BPF scheduler is loaded, or a scheduler
  // manager is active (stopping it first with take_over): see claim_sched_ext.
  void check_host_is_free();

  // Polls until the scheduler serves; on failure throws StartError with the reason, the
  // kernel's sched_ext lines and `details()` (the scheduler's output tails).
  void wait_serving(unsigned long long enable_seq_before, const std::function<Observation()>& observe,
                    const std::function<std::string()>& details);
  Health watch(const std::function<Observation()>& observe, const std::function<std::string()>& scheduler_words);
  // After the scheduler is gone: waits for state == disabled, then SysRq-S. Returns notes.
  std::vector<std::string> ensure_disabled();
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds bound) const;
  SchedExtStatus status() const { return read_sched_ext_status(paths_.sched_ext); }

  Manifest manifest_;
  Journal& journal_;
  BackendOptions options_;
  HostPaths paths_;
  Timing timing_;
  std::unique_ptr<KmsgCursor> kmsg_;
  unsigned long long serving_seq_ = 0;
  std::string ops_;
  HardwareState hardware_;  // snapshotted just before the start, restored once the scheduler is gone
};

class ScxProcessBackend : public SchedExtBackend {
 public:
  // `binary`: the executable to run ("" = find_binary(m)).
  ScxProcessBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths = {},
                    Timing timing = {}, std::string binary = "");
  ~ScxProcessBackend() override;

  void start(const Config& config) override;
  Health check() override;
  std::vector<std::string> stop() override;

  pid_t pid() const { return pid_; }
  // What the scheduler printed so far (Rust schedulers log to stdout, C ones to stderr).
  std::string stdout_text() const;
  std::string stderr_text() const;
  std::string output_tail() const;  // the last lines of both, colours stripped

 private:
  void launch(const std::string& exe, const std::vector<std::string>& args);
  Observation observe() const;
  std::vector<std::string> stop_process();

  std::string binary_;
  std::unique_ptr<TemporaryMount> bpffs_;  // schedulers that pin maps need it
  pid_t pid_ = 0;
  unsigned long long start_time_ = 0;
  std::FILE* out_ = nullptr;  // the scheduler's stdout and stderr, in anonymous files
  std::FILE* err_ = nullptr;
};

}  // namespace scxlab::schedulers
