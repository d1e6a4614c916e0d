#include "harness/rounds.hpp"

#include <fmt/format.h>

#include "harness/progress.hpp"
#include "harness/signals.hpp"

namespace scxlab::harness {

RoundLoop::RoundLoop(const RoundPlan& plan, Lab& lab, store::ResultsDb& db, std::int64_t run_id,
                     const InterruptGuard& guard, Progress& progress)
    : plan_(plan), lab_(lab), db_(db), run_id_(run_id), guard_(guard), progress_(progress),
      committed_(db.completed_seqs(run_id)),
      measured_rounds_(plan.reps) {}

bool RoundLoop::run(const MoreWanted& more) {
  const int max_rounds = plan_.warmup + std::max(plan_.reps, more ? plan_.max_reps : plan_.reps);
  const auto per_round = trials_per_round(plan_.shape());
  progress_.set_total(per_round * static_cast<std::size_t>(plan_.warmup + plan_.reps));
  for (int round = 0; round < plan_.warmup + measured_rounds_; ++round) {
    const auto round_started = std::chrono::steady_clock::now();
    if (!run_round(round)) return false;
    if (round == std::max(0, plan_.warmup - 1) && plan_.time_budget_s) {
      measured_rounds_ = fit_budget(round, round_started, measured_rounds_);
      progress_.set_total(per_round * static_cast<std::size_t>(plan_.warmup + measured_rounds_));
    }
    const bool last = round + 1 == plan_.warmup + measured_rounds_;
    if (last && more && round + 1 < max_rounds && budget_allows(round_started) && more()) {
      ++measured_rounds_;
      progress_.set_total(progress_.total() + per_round);
    }
  }
  return true;
}

bool RoundLoop::run_round(int round) {
  for (const auto& t : plan_round(plan_.shape(), round)) {
    if (committed_.count(t.seq)) {
      ++done_;
      continue;
    }
    if (guard_.interrupted()) return false;
    const auto& config = plan_.configs[t.scheduler];
    const auto& entry = plan_.entries[t.entry];
    progress_.begin_trial(done_, fmt::format("round {} {} {}",
                                             t.warmup ? "warm-up" : std::to_string(round - plan_.warmup + 1),
                                             config.label, entry.label));
    const auto t0 = std::chrono::steady_clock::now();
    auto rec = lab_.run_trial(config, entry, t.warmup ? store::TrialKind::warmup : store::TrialKind::measure);
    rec.run_id = run_id_;
    rec.seq = t.seq;
    rec.round = t.round;
    db_.add_trial(rec);
    ++done_;
    committed_.insert(t.seq);
    progress_.end_trial(std::string(to_string(rec.status)) + (rec.reason.empty() ? "" : ": " + rec.reason),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (rec.status == store::TrialStatus::interrupted) return false;
  }
  return true;
}

// After the first (warm-up) round: how many measured rounds fit the time budget.
int RoundLoop::fit_budget(int round, std::chrono::steady_clock::time_point round_started, int wanted) {
  const double round_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - round_started).count();
  const double left = *plan_.time_budget_s - elapsed_s();
  const int already = round + 1 - plan_.warmup;
  const int fit = already + std::max(0, static_cast<int>(left / std::max(round_s, 1e-3)));
  if (fit >= wanted) return wanted;
  notes_.push_back(fmt::format(
      "time budget {}: a round takes about {}, so {} of {} repetitions fit; dropped {} round(s){}",
      format_duration(*plan_.time_budget_s), format_duration(round_s), fit, wanted, wanted - fit,
      fit < 3 ? " (fewer than 3 repetitions: no differences can be called)" : ""));
  progress_.note(notes_.back());
  return std::max(fit, 0);
}

bool RoundLoop::budget_allows(std::chrono::steady_clock::time_point round_started) const {
  if (!plan_.time_budget_s) return true;
  const double round_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - round_started).count();
  return elapsed_s() + round_s <= *plan_.time_budget_s;
}

double RoundLoop::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace scxlab::harness
