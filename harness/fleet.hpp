// A tune on a fleet: the coordinator's side of the work queue (store/queue.hpp). Items go to
// the queue of a hardware class; `scxlab worker` on the hosts of that class runs them; their
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
  std::size_t parallel = 1;    // items in flight
  double wait_s = 600;         // how long to wait for a worker of the class before giving up
};

class FleetDispatcher final : public TrialDispatcher {
 public:
  // `run`: this run as its DB holds it; it is created in the shared store too (same uuid).
  // `tune`: what a worker needs to build the tune's bench (worker.hpp).
  FleetDispatcher(const FleetOptions& options, nlohmann::json tune, const tuner::Space& space, store::ResultsDb& db,
                  const store::RunInfo& run, Progress& progress, std::string goal_metric, const InterruptGuard& guard);

  std::size_t capacity() const override { return options_.parallel; }
  void start(std::vector<TuneTrial> item) override;
  std::vector<std::vector<store::TrialRecord>> finished() override;

  // The run ends: its items still queued are dropped, its status and outcome recorded.
  void finish(const std::string& status, const nlohmann::json& outcome);

 private:
  // Runs `f` on the queue, reconnecting while the server is away (the trials in flight go on).
  template <typename F>
  auto with_queue(F&& f);
  std::vector<std::vector<store::TrialRecord>> collect(const std::vector<std::int64_t>& done);
  void wait_for_workers();

  FleetOptions options_;
  nlohmann::json tune_;
  const tuner::Space& space_;
  const InterruptGuard& guard_;
  std::optional<store::WorkQueue> queue_;
  std::int64_t shared_run_id_ = 0;
  std::map<std::int64_t, std::vector<TuneTrial>> in_flight_;  // by item id
  std::set<std::int64_t> seen_;
  std::optional<std::chrono::steady_clock::time_point> alone_since_;  // no live worker since
};

struct FleetStatusOptions {
  std::string store;
  bool json = false;
};
int fleet_status_command(const FleetStatusOptions& options);

}  // namespace scxlab::harness
