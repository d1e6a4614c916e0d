// Runs the benchmark suite: the tuner and random search on the same cells and seeds, the
// regret of each one's recommended configuration, and per-cell summaries (median regret,
// fraction of seeds under 1e-3 / 1e-2, Bayesmark score = median regret / random search's
// median regret at the same budget).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tuner/suite/problems.hpp"

namespace scxlab::tuner::suite {

enum class Method { tuner, random_search };

struct RunResult {
  double regret = 0;
  double seconds = 0;          // wall time of the whole run (the tuner's own work; f is cheap)
  std::size_t evaluations = 0;
};

// One run of `method` on `cell` with `seed`; `options` supplies the tuner's settings (its
// seed, budget, objectives and constraints are set from the cell).
RunResult run_once(const Cell& cell, Method method, std::uint64_t seed, const OptimizerOptions& options);

// One run of the tuner on `cell` with `seed` and a budget of `evaluations`, keeping `workers`
// evaluations in flight as a fleet tune does: each finished evaluation (the oldest in flight,
// so observed in proposal order) is replaced by a proposal made with the others pending
// (Optimizer::suggest(pending)). workers = 1 is the sequential tuner.
RunResult run_in_flight(const Cell& cell, std::uint64_t seed, const OptimizerOptions& options, std::size_t evaluations,
                        std::size_t workers);

struct CellResult {
  std::string label;
  std::size_t dims = 0, budget = 0;
  std::vector<std::uint64_t> seeds;
  std::vector<RunResult> tuner, random;
};

struct CellSummary {
  double median_tuner = 0, median_random = 0;
  double score = 0;                      // median_tuner / median_random
  double under_1e3 = 0, under_1e2 = 0;   // fraction of seeds
  double seconds_per_evaluation = 0;     // tuner, mean over seeds
};
CellSummary summarize(const CellResult& r);

// Every cell x seed x method on `threads` threads; `progress` (may be empty) is called
// after each finished run with a one-line description.
std::vector<CellResult> run_suite(const std::vector<Cell>& cells, const std::vector<std::uint64_t>& seeds,
                                  const OptimizerOptions& options, unsigned threads,
                                  const std::function<void(const std::string&)>& progress);

std::string markdown_table(const std::vector<CellResult>& results);
nlohmann::json to_json(const std::vector<CellResult>& results);

}  // namespace scxlab::tuner::suite
