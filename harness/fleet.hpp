// A run on a fleet: the coordinator's side of the work queue (store/queue.hpp). Items go to the
// queue of a hardware class; `scxlab worker` on the hosts of that class runs them; their
// trials, committed in the shared store, are copied into this run's own DB for its report.
// `scxlab fleet status` shows the workers and queues of a store.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "harness/dispatch.hpp"
#include "harness/signals.hpp"
#include "store/queue.hpp"

namespace scxlab::harness {

struct FleetOptions {
  std::string store;           // postgresql://...
  std::string hw_class;        // the class whose workers run the items
  std::size_t parallel = 1;    // a tune's evaluations in flight (a shootout queues all its rounds)
  double wait_s = 600;         // how long to wait for a worker of the class before giving up
};

// The coordinator's side of the queue, for a tune's evaluations (FleetDispatcher) and for a
// shootout's or a gate's rounds (harness/fleet_rounds.hpp). It reconnects while the store is
// away and says so, waits for a worker of the class while none is alive, and gives up after
// --wait-s either way (UsageError naming the fix).
class FleetCoordinator {
 public:
  // `run`: the run as its own DB holds it; it is created in the shared store too (same uuid).
  FleetCoordinator(FleetOptions options, const store::RunInfo& run, Progress& progress, const InterruptGuard& guard);

  const FleetOptions& options() const { return options_; }
  std::int64_t enqueue(const nlohmann::json& payload, const std::string& summary);
  // Waits until some of `items` are done and returns those, in the order they were completed;
  // empty when interrupted.
  std::vector<std::int64_t> wait_done(const std::set<std::int64_t>& items);
  // The shared run's trials with a seq in [first_seq, last_seq].
  std::vector<store::TrialRecord> trials(int first_seq, int last_seq);
  std::size_t live_workers();
  // The run ends: its items still queued are dropped, its status and outcome recorded.
  void finish(const std::string& status, const nlohmann::json& outcome = {});

 private:
  // Runs `f` on the queue, reconnecting while the server is away (the trials in flight go on).
  template <typename F>
  auto with_queue(F&& f);
  void wait_for_workers();

  FleetOptions options_;
  Progress& progress_;
  const InterruptGuard& guard_;
  std::optional<store::WorkQueue> queue_;
  std::int64_t shared_run_id_ = 0;
  std::optional<std::chrono::steady_clock::time_point> alone_since_;  // no live worker since
};

class FleetDispatcher final : public TrialDispatcher {
 public:
  // `tune`: what a worker needs to build the tune's bench (worker.hpp).
  FleetDispatcher(const FleetOptions& options, nlohmann::json tune, const tuner::Space& space, store::ResultsDb& db,
                  const store::RunInfo& run, Progress& progress, std::string goal_metric, const InterruptGuard& guard);

  std::size_t capacity() const override { return coordinator_.options().parallel; }
  void start(std::vector<TuneTrial> item) override;
  std::vector<std::vector<store::TrialRecord>> finished() override;

  void finish(const std::string& status, const nlohmann::json& outcome) { coordinator_.finish(status, outcome); }

 private:
  std::vector<std::vector<store::TrialRecord>> collect(const std::vector<std::int64_t>& done);

  FleetCoordinator coordinator_;
  nlohmann::json tune_;
  const tuner::Space& space_;
  std::map<std::int64_t, std::vector<TuneTrial>> in_flight_;  // by item id
};

// "auto": this host's hardware class; anything else as it is.
std::string resolve_class(const std::string& hw_class);

// A command given --fleet CLASS: its workers take their work from a shared store, so `store`
// must be postgresql://... (UsageError naming the fix otherwise).
void check_fleet_store(const std::string& fleet, const std::string& store);

struct FleetStatusOptions {
  std::string store;
  bool json = false;
};
int fleet_status_command(const FleetStatusOptions& options);

}  // namespace scxlab::harness
