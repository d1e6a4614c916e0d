// A shootout's or a gate's rounds on a fleet. Each round is one work item, so one host runs a
// whole interleaved round (every configuration on every workload entry, in the plan's order),
// and the rounds spread over the workers of the class. The trials the workers commit to the
// shared store are copied into the run's own DB as items finish; its analysis then compares
// each configuration with the baseline within each host (stats/analysis.hpp: blocked by host).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/fleet.hpp"
#include "harness/lab.hpp"
#include "harness/rounds.hpp"

namespace scxlab::harness {

class FleetRoundLoop final : public Rounds {
 public:
  // `run_id`: the run in `db`, created in the shared store too (same uuid).
  FleetRoundLoop(const RoundPlan& plan, const LabSpec& lab, const FleetOptions& fleet, store::ResultsDb& db,
                 std::int64_t run_id, const InterruptGuard& guard, Progress& progress);

  // Queues every planned round not yet in the run's DB (a resumed run finds the rounds its first
  // coordinator queued: WorkQueue::enqueue) and collects them as they finish. While
  // `more` wants more, queues as many rounds again as there are live workers (at least one), up
  // to the plan's max_reps. The shared store's run is marked complete or interrupted at the end
  // (an interrupted run's queued rounds are dropped). No time budget: the rounds run at once.
  bool run(const MoreWanted& more = {}) override;
  int measured_rounds() const override { return measured_rounds_; }
  const std::vector<std::string>& notes() const override { return notes_; }

 private:
  bool round_committed(int round) const;
  void enqueue(int round);
  bool collect();  // waits for finished rounds and commits their trials; false when interrupted

  const RoundPlan& plan_;
  nlohmann::json context_;  // what every item carries: the lab, the configurations, the entries
  FleetCoordinator coordinator_;
  std::string kind_;  // the command: shootout, gate
  store::ResultsDb& db_;
  std::int64_t run_id_;
  Progress& progress_;
  std::set<int> committed_;           // seqs
  std::map<std::int64_t, int> in_flight_;  // item id -> round
  std::size_t done_ = 0;
  int measured_rounds_ = 0;
  std::vector<std::string> notes_;
};

// The rounds of a shootout or a gate: on this host's `lab` when fleet.hw_class is "", else on the
// workers of that class ("auto": this host's), saying so unless quiet.
std::unique_ptr<Rounds> make_rounds(const RoundPlan& plan, const LabSpec& spec, Lab* lab, FleetOptions fleet,
                                    bool quiet, store::ResultsDb& db, std::int64_t run_id,
                                    const InterruptGuard& guard, Progress& progress);

// The worker's side. Is this item a round (else a tune's evaluation)?
bool is_round_item(const nlohmann::json& payload);
// Runs the round's trials in order in a lab of its own (journal_path "" = the host's journal),
// stopping at an interrupted one. Throws UsageError when this host cannot build the lab.
std::vector<store::TrialRecord> run_round_item(const nlohmann::json& payload, const std::string& journal_path,
                                               const std::atomic<bool>& cancel, bool quiet);

}  // namespace scxlab::harness
