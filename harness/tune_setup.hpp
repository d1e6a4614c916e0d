// What a tune evaluates, built the same way by `scxlab tune` on this host and by a fleet
// worker (harness/worker.hpp) on another: the goal, the space, the workload entry and the
// evaluator that runs one planned trial through the lab.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/bounds.hpp"
#include "harness/entries.hpp"
#include "harness/json_optional.hpp"
#include "harness/lab.hpp"
#include "harness/tune.hpp"
#include "harness/tune_space.hpp"
#include "tuner/space.hpp"

namespace scxlab::harness {

// What the store keeps of the options (not where the files go: a resumed run is told that).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TuneOptions, scheduler, workload, space_file, command, knobs, minimize,
                                                maximize, subject_to, budget, time_budget_s, validate_reps, min_effect,
                                                seed, store, fleet, parallel, wait_s, trial_timeout_s, attach_timeout_s,
                                                json, quiet, no_bpf, take_over, manifest_dirs)

struct Goal {
  std::string metric;
  Direction direction = Direction::lower_is_better;
  bool log_scale = false;  // model log(value): durations and latencies
};

std::optional<double> metric_value(const store::TrialRecord& t, const std::string& name);

// Everything a tune needs to run or resume; `plan()` is what the store records.
struct TuneSetup {
  TuneOptions options;
  Entry entry;
  Goal goal;
  std::vector<Bound> bounds;
  std::uint64_t seed = 0;

  nlohmann::json plan() const { return {{"options", options}, {"seed", seed}}; }
};

// One trial as the tune plans it and the lab (here or on a worker) runs it.
struct TuneTrial {
  int seq = 0, round = 0;
  store::TrialKind kind = store::TrialKind::tune;
  std::string label;   // "eval-3", "default", "tuned"
  tuner::Config config;
  std::string why;     // a tuning evaluation's reason ("acquisition"); "" in a validation
  std::string what;    // as progress shows it: "eval-3 (acquisition) slice_us=...", "validation round 2 tuned"
};
nlohmann::json tune_trial_to_json(const TuneTrial& t, const tuner::Space& space);
TuneTrial tune_trial_from_json(const nlohmann::json& j, const tuner::Space& space);

// What one evaluation runs: a scheduler configuration made of the knob values, on the
// workload; or, tuning a space file, the command workload with the knob values as its
// parameters, under the kernel default.
class Evaluator {
 public:
  Evaluator(Lab& lab, const schedulers::Manifest& manifest, const tuner::Space& space, Entry entry, bool knobs_are_params)
      : lab_(lab), manifest_(manifest), space_(space), entry_(std::move(entry)), knobs_are_params_(knobs_are_params) {}

  // The trial's record, placed (seq, round) and, for a tuning evaluation, carrying the
  // configuration in the tuner's terms and why it was proposed.
  store::TrialRecord run(const TuneTrial& trial) const;

 private:
  store::TrialRecord run_in_lab(const tuner::Config& config, const std::string& label, store::TrialKind kind) const;
  store::TrialRecord rejected(const schedulers::Config& sched, store::TrialKind kind, const std::string& why) const;

  Lab& lab_;
  const schedulers::Manifest& manifest_;
  const tuner::Space& space_;
  Entry entry_;
  bool knobs_are_params_;
};

// A tune's lab, space and evaluator. `dir` receives the command workload's file when tuning a
// space file's knobs with a command.
struct TuneBench {
  TuneBench(const TuneOptions& options, std::uint64_t seed, Lab& lab, const std::string& dir);
  TuneBench(const TuneBench&) = delete;
  TuneBench& operator=(const TuneBench&) = delete;

  bool command_mode() const { return !setup.options.command.empty(); }

  TuneSpace space;
  const schedulers::Manifest& manifest;
  TuneSetup setup;
  Evaluator evaluator;
};

LabOptions lab_options(const TuneOptions& o);
// The knobs of a space file, as --space and --knobs ask; UsageError naming the file otherwise.
tuner::Space command_space(const TuneOptions& o);
// Usage errors of the choice of what to tune (--scheduler, or --space with --command).
void check_what_to_tune(const TuneOptions& o);

}  // namespace scxlab::harness
