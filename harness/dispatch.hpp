// Where a tune's trials run: on this host, one item at a time (LocalDispatcher), or on a
// fleet's workers, several items at once (harness/fleet.hpp). An item is trials that run in
// order on one host: a tuning evaluation, or a validation round's pair, so that both sides of
// a pair meet the same host. Either way every finished trial is committed to the run's DB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/progress.hpp"
#include "harness/tune_setup.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

class TrialDispatcher {
 public:
  TrialDispatcher(store::ResultsDb& db, std::int64_t run_id, Progress& progress, std::string goal_metric)
      : progress_(progress), db_(db), run_id_(run_id), goal_metric_(std::move(goal_metric)) {}
  virtual ~TrialDispatcher() = default;

  virtual std::size_t capacity() const = 0;  // items in flight at most
  virtual void start(std::vector<TuneTrial> item) = 0;
  // Waits until at least one started item has finished and returns those, each trial committed
  // to the run's DB. An item cut short by an interruption ends in its interrupted trial; empty
  // when interrupted before any finished.
  virtual std::vector<std::vector<store::TrialRecord>> finished() = 0;

  // A phase of `total` trials of which `done` are finished already (a resumed run).
  void begin_phase(std::size_t total, std::size_t done) {
    progress_.set_total(total);
    shown_ = done;
  }

 protected:
  void show_begin(const TuneTrial& trial, const std::string& where = "");
  void commit(store::TrialRecord& rec);  // and shows how it ended
  Progress& progress_;

 private:
  store::ResultsDb& db_;
  std::int64_t run_id_;
  std::string goal_metric_;
  std::size_t shown_ = 0;
};

class LocalDispatcher final : public TrialDispatcher {
 public:
  LocalDispatcher(const Evaluator& evaluator, store::ResultsDb& db, std::int64_t run_id, Progress& progress,
                  std::string goal_metric)
      : TrialDispatcher(db, run_id, progress, std::move(goal_metric)), evaluator_(evaluator) {}

  std::size_t capacity() const override { return 1; }
  void start(std::vector<TuneTrial> item) override;  // runs it at once
  std::vector<std::vector<store::TrialRecord>> finished() override;

 private:
  const Evaluator& evaluator_;
  std::vector<std::vector<store::TrialRecord>> done_;
};

}  // namespace scxlab::harness
