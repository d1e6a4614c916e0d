// Between a scheduler manifest and the tuner: the search space of the knobs worth tuning that
// this host can set for this workload, and a tuner configuration back as a scheduler
// configuration the lab can run.
#pragma once

#include <string>
#include <vector>

#include "schedulers/scheduler.hpp"
#include "tuner/space.hpp"
#include "workloads/workload.hpp"

namespace scxlab::harness {

struct TuneSpace {
  tuner::Space space;
  std::vector<std::string> left_out;     // "knob: why", for knobs the manifest marks tunable
  std::vector<std::string> constraints;  // what a manifest constraint over knobs held at their
                                         // defaults became: a bound, a linear constraint, a check
};

// The manifest's `tune = true` knobs (or exactly `only`, when given), minus those the host
// refuses (`unavailable`, from the backend) and workload task attributes the workload does
// not have. Mutually exclusive flags become one categorical knob. Each manifest constraint,
// with the knobs not tuned at their defaults, becomes what is left of it: narrower tuning
// ranges (slice_max_us >= 5000), linear constraints (slice_min_us <= slice_max_us), and
// what is not linear a check of whole configurations; the space's rule is the manifest's
// own check (schedulers::effective_knobs), so no proposal is one the scheduler refuses.
// Throws UsageError when `only` names a knob that cannot be tuned, nothing is left to tune,
// or a constraint cannot hold while the knobs not tuned keep their defaults.
TuneSpace tune_space(const schedulers::Manifest& manifest, const std::vector<Unavailable>& unavailable,
                     const workloads::WorkloadInfo& workload, const std::vector<std::string>& only);

// The scheduler configuration a tuner configuration stands for, labelled `label`.
schedulers::Config to_scheduler_config(const schedulers::Manifest& manifest, const tuner::Space& space,
                                       const tuner::Config& config, const std::string& label);

}  // namespace scxlab::harness
