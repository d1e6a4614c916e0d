// The lab: the machine under test and everything scxlab changes on it. It owns the restore
// journal, the scheduler backends and the metrics collectors, and runs one trial at a time:
// make the configuration the running scheduler, run the workload with the collectors
// following its tasks, check the scheduler survived, and return the record. Shootout, tune
// and gate all run their trials through it, so a trial means the same thing everywhere.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/entries.hpp"
#include "metrics/collector.hpp"
#include "schedulers/journal.hpp"
#include "schedulers/scheduler.hpp"
#include "store/store.hpp"
#include "workloads/workload.hpp"

namespace scxlab::harness {

struct LabOptions {
  std::vector<std::string> manifest_dirs;
  schedulers::BackendOptions backend;
  metrics::CollectorOptions collectors;
  std::chrono::milliseconds trial_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds cooldown{0};
  // Where the restore journal lives: one per host, but for fleet workers that run side by side
  // (scxlab worker --state-dir), which must not switch schedulers.
  std::string journal_path = schedulers::Journal::default_path();
  // false: a fleet's coordinator, which reads manifests and knob limits but runs no trial, so it
  // neither claims sched_ext (a worker on the same host may be running a scheduler) nor loads
  // the collectors.
  bool runs_trials = true;
};

// The options every command shares.
LabOptions make_lab_options(const std::vector<std::string>& manifest_dirs, bool take_over, bool no_bpf,
                            double trial_timeout_s, std::optional<double> attach_timeout_s);

// A shootout's or a gate's lab options as data: a fleet's coordinator sends them with each round
// so that every worker builds the same lab (LabOptions holds this host's paths and callbacks).
struct LabSpec {
  std::vector<std::string> manifest_dirs;
  bool take_over = false;
  bool no_bpf = false;
  double trial_timeout_s = 600;
  std::optional<double> attach_timeout_s;
  double cooldown_s = 0;
  std::vector<std::string> perf_events;

  LabOptions options() const;
};

class Lab {
 public:
  // Replays what a previous, crashed run left in the journal (lines go to `notes`), then
  // prepares the collectors. Throws UsageError when another scxlab holds the journal.
  Lab(const LabOptions& options, const std::atomic<bool>& cancel);
  ~Lab();  // stops the scheduler and replays the journal: the machine as found
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  const std::vector<schedulers::Manifest>& manifests() const { return manifests_; }
  const schedulers::Manifest& manifest(const std::string& name) const;
  const std::vector<std::string>& notes() const { return notes_; }

  // Runs one trial. Never throws for a failure of the scheduler or the workload: the record
  // says how it ended.
  store::TrialRecord run_trial(const schedulers::Config& config, const Entry& entry,
                               store::TrialKind kind);

  // Knobs of this scheduler the host refuses (read-only debugfs, ...), with the reason.
  std::vector<Unavailable> unavailable_knobs(const std::string& scheduler);

  // Back to the kernel default (between phases and at the end).
  void stop_scheduler();

  // Told about once a second while a scheduler's start waits for it to attach.
  void on_wait(std::function<void(const std::string& what, int seconds)> report) {
    options_.backend.on_wait = std::move(report);
  }

 private:
  // Starts `config` unless it is already serving; "" on success, else why it could not.
  std::string ensure_running(const schedulers::Config& config);
  nlohmann::json describe(const schedulers::Config& config) const;

  LabOptions options_;
  const std::atomic<bool>& cancel_;
  std::vector<schedulers::Manifest> manifests_;
  std::unique_ptr<schedulers::Journal> journal_;
  std::unique_ptr<metrics::CollectorSet> collectors_;
  std::unique_ptr<schedulers::Backend> backend_;
  std::optional<schedulers::Config> running_;
  std::optional<double> start_s_;  // how long the start for the current trial took, if one was needed
  std::vector<std::string> notes_;
  std::string host_, hw_class_;  // recorded with every trial
};

std::string utc_now_iso8601();

}  // namespace scxlab::harness
