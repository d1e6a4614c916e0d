// The end of a tune: the decision (recommend the tuned configuration, or keep the default,
// with the validation's numbers) and its exports: recommendation.toml with the knob values,
// the command line, an /etc/default/scx snippet and an scx_loader table for scx schedulers,
// and what the search learned (knob importance, convergence).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/tune.hpp"
#include "schedulers/scheduler.hpp"
#include "stats/analysis.hpp"
#include "store/store.hpp"
#include "tuner/optimizer.hpp"

namespace scxlab::harness {

struct Recommendation {
  bool recommend = false;
  std::string verdict;                  // one line: what to do and the evidence
  std::string scheduler, workload, objective;
  schedulers::Manifest manifest;
  schedulers::Config config;            // the tuned configuration (the default when kept)
  std::string command_line;             // tuning a command: the command with the values in it
  nlohmann::json knob_values;           // every knob of the space
  std::optional<stats::Comparison> validation;
  std::vector<std::string> bound_checks;  // "fps.avg 59.9 >= 58.2 (0.97 x default 60.0): holds"
  std::vector<tuner::KnobImportance> importance;
  std::vector<tuner::TracePoint> trace;
};

// Judges the validation trials of the run (default vs tuned) on the objective and bounds.
Recommendation decide(const store::ResultsDb& db, std::int64_t run_id, const std::string& workload,
                      const std::string& objective, const std::vector<Bound>& bounds,
                      const tuner::Optimizer& optimizer, const schedulers::Manifest& manifest, bool best_is_default,
                      double min_effect, std::uint64_t seed);

// Prints the verdict and writes <dir>/recommendation.toml (atomically).
void write_recommendation(const Recommendation& r, const std::string& dir, bool quiet);

// The TOML text of recommendation.toml.
std::string recommendation_toml(const Recommendation& r);

}  // namespace scxlab::harness
