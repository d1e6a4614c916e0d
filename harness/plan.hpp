// The plan of a run: which scheduler runs which workload entry in which order. Repetitions
// are interleaved across schedulers (a round runs every scheduler once, in an order shuffled
// per round from the recorded seed), so slow drifts of the machine (thermal, background
// daemons) hit every scheduler alike instead of biasing whichever ran last. The plan is a
// pure function of its spec and seed, which is what lets `--resume` skip committed trials.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scxlab::harness {

struct PlannedTrial {
  int seq = 0;             // position in the whole plan, stable across resumes
  int round = 0;           // 0-based; rounds below warmup_rounds are warm-up
  bool warmup = false;
  std::size_t scheduler = 0;  // index into the run's scheduler list
  std::size_t entry = 0;      // index into the run's workload entries
};

struct PlanShape {
  std::size_t schedulers = 0;
  std::size_t entries = 0;
  int warmup_rounds = 1;
  std::uint64_t seed = 0;
};

// The trials of one round, in execution order: schedulers shuffled for this round, each
// running every entry in suite order (one scheduler start per round and scheduler).
std::vector<PlannedTrial> plan_round(const PlanShape& shape, int round);

// Rounds [0, rounds): warm-up rounds first, then measured ones.
std::vector<PlannedTrial> plan_rounds(const PlanShape& shape, int rounds);

// Trials per round, and the seq of a round's first trial.
std::size_t trials_per_round(const PlanShape& shape);

}  // namespace scxlab::harness
