// The end of a tune: the decision (recommend the tuned configuration, or keep the default,
// with the validation's numbers) and its exports: recommendation.toml with the knob values,
// the command line, an /etc/default/scx snippet and an scx_loader table for scx schedulers,
// and what the search learned (knob importance, convergence).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/tune.hpp"
#include "schedulers/scheduler.hpp"
#include "stats/analysis.hpp"
#include "store/store.hpp"
#include "tuner/optimizer.hpp"

namespace scxlab::harness {

// How the tuning evaluations ended: measured, failed while running, or refused before
// running (the scheduler would not accept the configuration); failures and refusals grouped
// by reason (reasons that differ only in numbers are one group), most frequent first.
struct EvaluationTally {
  struct Group {
    std::size_t count = 0;
    std::string reason;  // the group's first
  };
  std::size_t measured = 0, failed = 0, refused = 0;
  std::vector<Group> failures, refusals;
  std::size_t total() const { return measured + failed + refused; }
  void add_failure(const std::string& reason);
  void add_refusal(const std::string& reason);
  // "5 evaluations: 2 measured, 0 failed, 3 refused before running", then one line a group.
  std::vector<std::string> lines() const;
  nlohmann::json to_json() const;
};

// The reason of an evaluation refused before running starts so.
inline constexpr std::string_view kNotRun = "not run: ";

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
  EvaluationTally evaluations;
};

// Judges the validation trials of the run (default vs tuned) on the objective and bounds.
Recommendation decide(const store::ResultsDb& db, std::int64_t run_id, const std::string& workload,
                      const std::string& objective, const std::vector<Bound>& bounds,
                      const tuner::Optimizer& optimizer, const EvaluationTally& evaluations,
                      const schedulers::Manifest& manifest, bool best_is_default, double min_effect,
                      std::uint64_t seed);

// Prints the verdict and writes <dir>/recommendation.toml (atomically).
void write_recommendation(const Recommendation& r, const std::string& dir, bool quiet);

// How to use the tuned configuration, ready to copy; "" where it does not apply (tuning a
// command has only `command`; the kernel default has no /etc/default/scx).
struct UseSnippets {
  std::string shootout, command, etc_default_scx, scx_loader;
};
UseSnippets use_snippets(const Recommendation& r);

// What the tune concluded beyond its trials, stored as the run's outcome for the tune
// report ({"tune": ...}; the keys are read by reports/tune_report.hpp): the verdict and its
// validation, every knob next to its default, the snippets, the convergence trace, knob
// importance and partial dependence, and how the evaluations ended. Never a NaN: null.
nlohmann::json tune_outcome_json(const Recommendation& r, const tuner::Optimizer& optimizer, Direction direction);

// The TOML text of recommendation.toml.
std::string recommendation_toml(const Recommendation& r);
// The verdict, the knob values and the evaluations, for --json.
nlohmann::json recommendation_json(const Recommendation& r);

}  // namespace scxlab::harness
