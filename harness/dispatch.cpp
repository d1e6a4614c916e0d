#include "harness/dispatch.hpp"

#include <fmt/format.h>

namespace scxlab::harness {

void TrialDispatcher::show_begin(const TuneTrial& trial, const std::string& where) {
  progress_.begin_trial(shown_, where.empty() ? trial.what : fmt::format("{} on {}", trial.what, where));
}

void TrialDispatcher::commit(store::TrialRecord& rec) {
  rec.run_id = run_id_;
  db_.add_trial(rec);
  ++shown_;
  const auto value = metric_value(rec, goal_metric_);
  progress_.end_trial(rec.status == store::TrialStatus::ok && value
                          ? fmt::format("{} = {:.4g}", goal_metric_, *value)
                          : fmt::format("{}: {}", to_string(rec.status), rec.reason),
                      rec.wall_s + rec.overhead_s);
}

void LocalDispatcher::start(std::vector<TuneTrial> item) {
  auto& records = done_.emplace_back();
  for (const auto& trial : item) {
    show_begin(trial);
    records.push_back(evaluator_.run(trial));
    commit(records.back());
    if (records.back().status == store::TrialStatus::interrupted) break;
  }
}

std::vector<std::vector<store::TrialRecord>> LocalDispatcher::finished() { return std::exchange(done_, {}); }

}  // namespace scxlab::harness
