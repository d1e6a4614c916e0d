// `scxlab tune`: Bayesian search of a scheduler's knobs for one workload on this machine,
// every evaluation a lab trial committed to the store, then an interleaved A/B validation of
// the recommendation against the default configuration. A recommendation is made only when
// the validation calls the objective better (significant and beyond the minimum effect) and
// every --subject-to bound holds; otherwise the answer is "keep the default", with the numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/bounds.hpp"
#include "stats/metric.hpp"

namespace scxlab::harness {

struct TuneOptions {
  std::string scheduler;                // manifest name: "eevdf", "scxlab_vtime", "scx_lavd"
  std::string workload = "frames";      // NAME[:key=value,...]
  std::string space_file, command;      // instead: a space file's knobs, a command that prints the objective
  std::vector<std::string> knobs;       // only these; empty = every tunable knob this host allows
  std::string minimize, maximize;       // metric; neither = the workload's first headline metric
  std::vector<std::string> subject_to;  // "fps.avg >= 0.97*baseline", "rps.avg >= 1000"
  int budget = 20;                      // evaluations, the default configuration included
  std::optional<double> time_budget_s;  // stop proposing once the evaluations took this long
  int validate_reps = 5;                // per side of the A/B validation (5: the fewest that can be significant)
  double min_effect = 0.02;
  std::optional<std::uint64_t> seed;
  double trial_timeout_s = 600;
  std::optional<double> attach_timeout_s;  // default: the scheduler manifest's own bound
  std::string out_dir, resume_dir;
  std::string store;                    // also record the finished run here ("" = the run directory only)
  std::string fleet;                    // run the evaluations on the workers of this hardware class ("auto": this host's)
  int parallel = 1;                     // evaluations in flight on the fleet
  double wait_s = 600;                  // how long a fleet tune waits for a worker, or for the store
  bool json = false, quiet = false, no_bpf = false, take_over = false;
  std::vector<std::string> manifest_dirs;
};



// Returns the exit code (0, 2 bad input, 130 interrupted).
int tune_command(TuneOptions options);

}  // namespace scxlab::harness
