// The trial engine's round loop, shared by every command that compares configurations
// (shootout, gate, noise): interleaved rounds of every configuration x every workload entry
// in the plan's order (harness/plan.hpp), each trial committed to the store before the next
// starts, committed trials skipped on resume. After the planned rounds it adds one measured
// round at a time while the command wants more (a precision target, an inconclusive gate),
// up to a bound and within an optional time budget.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/lab.hpp"
#include "harness/plan.hpp"
#include "schedulers/scheduler.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

class InterruptGuard;
class Progress;

struct RoundPlan {
  std::vector<schedulers::Config> configs;
  std::vector<Entry> entries;
  int warmup = 1;                        // warm-up rounds (run, recorded, not analysed)
  int reps = 5;                          // measured rounds planned
  int max_reps = 5;                      // measured rounds at most, when more are wanted
  std::optional<double> time_budget_s;   // fit the measured rounds into this wall time
  std::uint64_t seed = 0;

  PlanShape shape() const { return {configs.size(), entries.size(), warmup, seed}; }
};

// A command's rounds, wherever they run: on this host (RoundLoop) or spread over the hosts of a
// fleet (FleetRoundLoop, harness/fleet_rounds.hpp).
class Rounds {
 public:
  // Called after the last planned (or added) round: true asks for more measured rounds.
  using MoreWanted = std::function<bool()>;
  virtual ~Rounds() = default;

  // Runs the rounds; false when interrupted (everything finished is committed).
  virtual bool run(const MoreWanted& more = {}) = 0;
  virtual int measured_rounds() const = 0;  // planned, fitted or added so far
  // What the loop decided on its own (rounds the time budget dropped), for the report.
  virtual const std::vector<std::string>& notes() const = 0;
};

class RoundLoop final : public Rounds {
 public:
  RoundLoop(const RoundPlan& plan, Lab& lab, store::ResultsDb& db, std::int64_t run_id,
            const InterruptGuard& guard, Progress& progress);

  bool run(const MoreWanted& more = {}) override;
  int measured_rounds() const override { return measured_rounds_; }
  const std::vector<std::string>& notes() const override { return notes_; }

 private:
  bool run_round(int round);
  int fit_budget(int round, std::chrono::steady_clock::time_point round_started, int wanted);
  bool budget_allows(std::chrono::steady_clock::time_point round_started) const;
  double elapsed_s() const;

  const RoundPlan& plan_;
  Lab& lab_;
  store::ResultsDb& db_;
  std::int64_t run_id_;
  const InterruptGuard& guard_;
  Progress& progress_;
  std::set<int> committed_;
  std::size_t done_ = 0;
  int measured_rounds_ = 0;
  std::vector<std::string> notes_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace scxlab::harness
