#include "harness/fleet_rounds.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "harness/entries.hpp"
#include "harness/json_optional.hpp"
#include "harness/progress.hpp"
#include "harness/schedulers_choice.hpp"

namespace scxlab::harness {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LabSpec, manifest_dirs, take_over, no_bpf, trial_timeout_s,
                                                attach_timeout_s, cooldown_s, perf_events)

namespace {

nlohmann::json planned_to_json(const PlannedTrial& t, const RoundPlan& plan) {
  return {{"seq", t.seq}, {"round", t.round}, {"scheduler", t.scheduler}, {"entry", t.entry},
          {"kind", to_string(t.warmup ? store::TrialKind::warmup : store::TrialKind::measure)},
          {"label", plan.configs[t.scheduler].label}};
}

std::string round_name(const RoundPlan& plan, int round) {
  return round < plan.warmup ? "warm-up" : std::to_string(round - plan.warmup + 1);
}

}  // namespace

FleetRoundLoop::FleetRoundLoop(const RoundPlan& plan, const LabSpec& lab, const FleetOptions& fleet,
                               store::ResultsDb& db, std::int64_t run_id, const InterruptGuard& guard,
                               Progress& progress)
    : plan_(plan),
      context_{{"lab", lab}, {"configs", configs_to_json(plan.configs)}, {"entries", entries_to_json(plan.entries)}},
      coordinator_(fleet, *db.run(run_id), progress, guard),
      kind_(db.run(run_id)->kind),
      db_(db),
      run_id_(run_id),
      progress_(progress),
      committed_(db.completed_seqs(run_id)),
      done_(committed_.size()),
      measured_rounds_(plan.reps) {}

bool FleetRoundLoop::run(const MoreWanted& more) {
  const int max_rounds = plan_.warmup + std::max(plan_.reps, more ? plan_.max_reps : plan_.reps);
  const auto per_round = trials_per_round(plan_.shape());
  progress_.set_total(per_round * static_cast<std::size_t>(plan_.warmup + plan_.reps));
  for (int round = 0; round < plan_.warmup + measured_rounds_; ++round) {
    if (!round_committed(round)) enqueue(round);
  }
  for (;;) {
    while (!in_flight_.empty()) {
      if (!collect()) {
        coordinator_.finish("interrupted");
        return false;
      }
    }
    const int rounds = plan_.warmup + measured_rounds_;
    if (!more || rounds >= max_rounds || !more()) break;
    const int add = std::min(static_cast<int>(std::max<std::size_t>(coordinator_.live_workers(), 1)), max_rounds - rounds);
    measured_rounds_ += add;
    for (int k = 0; k < add; ++k) enqueue(rounds + k);
    progress_.set_total(progress_.total() + per_round * static_cast<std::size_t>(add));
  }
  coordinator_.finish("complete");
  return true;
}

bool FleetRoundLoop::round_committed(int round) const {
  const auto trials = plan_round(plan_.shape(), round);
  return std::all_of(trials.begin(), trials.end(), [&](const PlannedTrial& t) { return committed_.count(t.seq) > 0; });
}

void FleetRoundLoop::enqueue(int round) {
  auto trials = nlohmann::json::array();
  for (const auto& t : plan_round(plan_.shape(), round)) trials.push_back(planned_to_json(t, plan_));
  auto payload = context_;
  payload["trials"] = trials;
  const auto summary = round < plan_.warmup
                           ? fmt::format("{} warm-up round", kind_)
                           : fmt::format("{} round {} of {}", kind_, round - plan_.warmup + 1, measured_rounds_);
  in_flight_.emplace(coordinator_.enqueue({{"round", payload}}, summary), round);
}

bool FleetRoundLoop::collect() {
  std::set<std::int64_t> items;
  for (const auto& [id, round] : in_flight_) items.insert(id);
  const auto done = coordinator_.wait_done(items);
  if (done.empty()) return false;
  for (const auto id : done) {
    const int round = in_flight_.at(id);
    const auto planned = plan_round(plan_.shape(), round);
    for (auto& rec : coordinator_.trials(planned.front().seq, planned.back().seq)) {
      if (committed_.count(rec.seq)) continue;  // an earlier attempt's copy (a resumed run)
      const auto& t = planned.at(static_cast<std::size_t>(rec.seq - planned.front().seq));
      progress_.begin_trial(done_, fmt::format("round {} {} {} on {}", round_name(plan_, round),
                                               plan_.configs[t.scheduler].label, plan_.entries[t.entry].label, rec.host));
      rec.run_id = run_id_;
      db_.add_trial(rec);
      committed_.insert(rec.seq);
      ++done_;
      progress_.end_trial(std::string(to_string(rec.status)) + (rec.reason.empty() ? "" : ": " + rec.reason), rec.wall_s);
    }
    in_flight_.erase(id);
  }
  return true;
}

std::unique_ptr<Rounds> make_rounds(const RoundPlan& plan, const LabSpec& spec, Lab* lab, FleetOptions fleet,
                                    bool quiet, store::ResultsDb& db, std::int64_t run_id,
                                    const InterruptGuard& guard, Progress& progress) {
  if (fleet.hw_class.empty()) return std::make_unique<RoundLoop>(plan, *lab, db, run_id, guard, progress);
  fleet.hw_class = resolve_class(fleet.hw_class);
  if (!quiet) std::cerr << fmt::format("fleet: class {}, each round on one worker, from {}\n", fleet.hw_class, fleet.store);
  return std::make_unique<FleetRoundLoop>(plan, spec, fleet, db, run_id, guard, progress);
}

bool is_round_item(const nlohmann::json& payload) { return payload.contains("round"); }

std::vector<store::TrialRecord> run_round_item(const nlohmann::json& payload, const std::string& journal_path,
                                               const std::atomic<bool>& cancel, bool quiet) {
  const auto& item = payload.at("round");
  auto lo = item.at("lab").get<LabSpec>().options();
  if (!journal_path.empty()) lo.journal_path = journal_path;
  const auto configs = configs_from_json(item.at("configs"));
  const auto entries = entries_from_json(item.at("entries"));
  Lab lab(lo, cancel);
  std::vector<store::TrialRecord> records;
  for (const auto& t : item.at("trials")) {
    const auto& config = configs.at(t.at("scheduler").get<std::size_t>());
    const auto& entry = entries.at(t.at("entry").get<std::size_t>());
    if (!quiet) std::cerr << fmt::format("worker:   round {} {} {}\n", t.at("round").get<int>(), config.label, entry.label);
    auto rec = lab.run_trial(config, entry, store::trial_kind_from(t.at("kind").get<std::string>()));
    rec.seq = t.at("seq");
    rec.round = t.at("round");
    records.push_back(std::move(rec));
    if (records.back().status == store::TrialStatus::interrupted) break;
  }
  return records;
}

}  // namespace scxlab::harness
