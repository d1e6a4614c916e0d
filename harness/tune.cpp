#include "harness/tune.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <fmt/format.h>

#include "base/files.hpp"
#include "harness/dispatch.hpp"
#include "harness/errors.hpp"
#include "harness/fleet.hpp"
#include "harness/host.hpp"
#include "harness/json_optional.hpp"
#include "harness/lab.hpp"
#include "harness/objective_command.hpp"
#include "harness/plan.hpp"
#include "harness/privileges.hpp"
#include "harness/progress.hpp"
#include "harness/recommendation.hpp"
#include "harness/results.hpp"
#include "harness/results_store.hpp"
#include "harness/shootout.hpp"
#include "harness/signals.hpp"
#include "harness/tune_setup.hpp"
#include "harness/tune_space.hpp"
#include "tuner/optimizer.hpp"
#include "tuner/space_file.hpp"

namespace scxlab::harness {


namespace fs = std::filesystem;
namespace {

constexpr const char* kDbName = "results.db";
constexpr int kFirstValidationSeq = 100000;  // after any number of tuning evaluations
const std::string kDefaultLabel = "default", kTunedLabel = "tuned";





std::string metric_names(const store::TrialRecord& t) {
  std::string out;
  for (const auto& m : t.metrics) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}



// The tuning phase: evaluations as trials, observed by the optimiser in the order they finish,
// as many in flight as the dispatcher runs at once (each new proposal knowing the others).
class TuneLoop {
 public:
  TuneLoop(const TuneSetup& setup, const tuner::Space& space, TrialDispatcher& dispatcher, store::ResultsDb& db,
           std::int64_t run_id, const InterruptGuard& guard)
      : setup_(setup), space_(space), dispatcher_(dispatcher), guard_(guard) {
    for (auto& t : db.trials(run_id)) {
      if (t.status != store::TrialStatus::interrupted && t.kind == store::TrialKind::tune) committed_.push_back(std::move(t));
    }
    for (const auto& t : committed_) next_seq_ = std::max(next_seq_, t.seq + 1);
  }

  // Returns false when interrupted.
  bool run() {
    dispatcher_.begin_phase(static_cast<std::size_t>(setup_.options.budget), committed_.size());
    const auto baseline = evaluate_default();
    if (!baseline) return false;
    try {
      optimizer_.emplace(space_, optimizer_options(*baseline));
    } catch (const tuner::SpaceError& e) {  // constraints that leave almost no room
      throw UsageError(e.what());
    }
    for (const auto& t : committed_) optimizer_->observe(space_.from_json(t.scheduler_config.at("tuner")), outcome(t));
    while (!optimizer_->finished()) {
      if (guard_.interrupted()) return false;
      propose_while_room();
      if (!observe_finished()) return false;
    }
    return true;
  }

  const tuner::Optimizer& optimizer() const { return *optimizer_; }

  // How the evaluations committed so far ended.
  EvaluationTally tally() const {
    EvaluationTally t;
    for (const auto& rec : committed_) {
      if (outcome(rec).ok) ++t.measured;
      else if (rec.reason.rfind(kNotRun, 0) == 0) t.add_refusal(rec.reason.substr(kNotRun.size()));
      else t.add_failure(failure_reason(rec));
    }
    return t;
  }

 private:
  // The first evaluation, the default configuration: its values anchor relative bounds.
  std::optional<store::TrialRecord> evaluate_default() {
    if (committed_.empty()) {
      dispatcher_.start({planned(space_.defaults(), "default")});
      in_flight_.emplace(0, space_.defaults());
      const auto items = dispatcher_.finished();
      if (items.empty() || items.front().back().status == store::TrialStatus::interrupted) return std::nullopt;
      committed_.push_back(items.front().back());
      in_flight_.clear();
    }
    const auto& rec = committed_.front();
    if (rec.status != store::TrialStatus::ok) {
      throw UsageError(fmt::format("the default configuration of {} did not run ({}: {}); nothing to tune against",
                                   setup_.options.scheduler, to_string(rec.status), rec.reason));
    }
    for (const auto& name : metrics_needed()) {
      if (!metric_value(rec, name)) {
        throw UsageError(fmt::format("metric '{}' was not measured on {} (measured: {})", name, setup_.entry.label,
                                     metric_names(rec)));
      }
    }
    return rec;
  }

  TuneTrial planned(const tuner::Config& config, const std::string& why) {
    const int seq = next_seq_++;
    const auto label = fmt::format("eval-{}", seq + 1);
    return {seq, 0, store::TrialKind::tune, label, config, why,
            fmt::format("{} ({}) {}", label, why, space_.describe(config))};
  }

  // Fills the free slots with proposals that treat the evaluations in flight as pending.
  void propose_while_room() {
    const auto budget = static_cast<std::size_t>(setup_.options.budget);
    while (in_flight_.size() < dispatcher_.capacity() && optimizer_->evaluations() + in_flight_.size() < budget) {
      std::vector<tuner::Config> pending;
      for (const auto& [seq, config] : in_flight_) pending.push_back(config);
      const auto s = optimizer_->suggest(pending);
      auto trial = planned(s.config, std::string(tuner::to_string(s.reason)));
      in_flight_.emplace(trial.seq, s.config);
      dispatcher_.start({std::move(trial)});
    }
  }

  // Returns false when interrupted.
  bool observe_finished() {
    const auto items = dispatcher_.finished();
    if (items.empty()) return false;
    for (const auto& item : items) {
      const auto& rec = item.back();
      if (rec.status == store::TrialStatus::interrupted) return false;
      const auto config = in_flight_.find(rec.seq);
      if (config == in_flight_.end()) continue;  // a result seen already (an item run twice)
      optimizer_->observe(config->second, outcome(rec));
      in_flight_.erase(config);
      committed_.push_back(rec);
    }
    return true;
  }

  std::vector<std::string> metrics_needed() const {
    std::vector<std::string> names{setup_.goal.metric};
    for (const auto& b : setup_.bounds) names.push_back(b.metric);
    return names;
  }

  tuner::OptimizerOptions optimizer_options(const store::TrialRecord& baseline) const {
    tuner::OptimizerOptions oo;
    oo.seed = setup_.seed;
    oo.budget.evaluations = static_cast<std::size_t>(setup_.options.budget);
    if (setup_.options.time_budget_s) oo.budget.seconds = *setup_.options.time_budget_s;
    oo.objectives = {{setup_.goal.metric, setup_.goal.direction, setup_.goal.log_scale}};
    for (const auto& b : setup_.bounds) {
      const double bound = b.relative ? b.factor * *metric_value(baseline, b.metric) : b.factor;
      oo.constraints.push_back({b.metric, b.at_least ? tuner::OutcomeConstraint::Kind::at_least
                                                     : tuner::OutcomeConstraint::Kind::at_most, bound});
    }
    return oo;
  }

  // Why an evaluation counts as failed (outcome() says it does).
  std::string failure_reason(const store::TrialRecord& t) const {
    if (t.status == store::TrialStatus::failed) return t.reason;
    if (t.status != store::TrialStatus::ok) return fmt::format("{}: {}", to_string(t.status), t.reason);  // ejected, timed_out
    for (const auto& name : metrics_needed()) {
      if (!metric_value(t, name)) return fmt::format("'{}' was not measured", name);
    }
    return fmt::format("'{}' = {:.4g}: not > 0, which its log-scale model needs", setup_.goal.metric,
                       *metric_value(t, setup_.goal.metric));
  }

  tuner::Outcome outcome(const store::TrialRecord& t) const {
    const double seconds = t.wall_s + t.overhead_s;
    const auto objective = metric_value(t, setup_.goal.metric);
    if (t.status != store::TrialStatus::ok || !objective || (*objective <= 0 && setup_.goal.log_scale)) return tuner::Outcome::failure(seconds);
    tuner::Outcome o{true, {*objective}, {}, seconds};
    for (const auto& b : setup_.bounds) {
      const auto v = metric_value(t, b.metric);
      if (!v) return tuner::Outcome::failure(seconds);
      o.constraints.push_back(*v);
    }
    return o;
  }

  const TuneSetup& setup_;
  const tuner::Space& space_;
  TrialDispatcher& dispatcher_;
  const InterruptGuard& guard_;
  std::vector<store::TrialRecord> committed_;
  std::map<int, tuner::Config> in_flight_;  // by seq
  int next_seq_ = 0;
  std::optional<tuner::Optimizer> optimizer_;
};

// The validation rounds not committed yet, each an item: the default and the recommended
// configuration in the order drawn per round from the run's seed (as a shootout's).
std::vector<std::vector<TuneTrial>> validation_rounds(const TuneSetup& setup, const std::vector<tuner::Config>& pair,
                                                         const std::set<int>& done) {
  const std::string labels[] = {kDefaultLabel, kTunedLabel};
  const PlanShape shape{pair.size(), 1, 0, setup.seed};
  std::vector<std::vector<TuneTrial>> rounds;
  for (int round = 0; round < setup.options.validate_reps; ++round) {
    std::vector<TuneTrial> item;
    for (const auto& t : plan_round(shape, round)) {
      const int seq = kFirstValidationSeq + t.seq;
      if (done.count(seq)) continue;
      const auto& label = labels[t.scheduler];
      item.push_back({seq, round, store::TrialKind::validate, label, pair[t.scheduler], "",
                      fmt::format("validation round {} {}", round + 1, label)});
    }
    if (!item.empty()) rounds.push_back(std::move(item));
  }
  return rounds;
}

// Interleaved A/B rounds of the default and the recommended configuration, each round on one
// host. Returns false when interrupted.
bool validate(const TuneSetup& setup, const std::vector<tuner::Config>& pair, TrialDispatcher& dispatcher,
              store::ResultsDb& db, std::int64_t run_id, const InterruptGuard& guard) {
  const auto done = db.completed_seqs(run_id);
  const auto rounds = validation_rounds(setup, pair, done);
  const auto total = static_cast<std::size_t>(2 * setup.options.validate_reps);
  std::size_t todo = 0;
  for (const auto& r : rounds) todo += r.size();
  dispatcher.begin_phase(total, total - todo);
  std::size_t next = 0, in_flight = 0;
  while (next < rounds.size() || in_flight > 0) {
    if (guard.interrupted()) return false;
    for (; in_flight < dispatcher.capacity() && next < rounds.size(); ++in_flight) dispatcher.start(rounds[next++]);
    const auto items = dispatcher.finished();
    if (items.empty()) return false;
    for (const auto& item : items) {
      if (item.back().status == store::TrialStatus::interrupted) return false;
    }
    in_flight -= std::min(in_flight, items.size());
  }
  return true;
}

std::string resume_hint(const std::string& dir) { return fmt::format("resume with: scxlab tune --resume {}", dir); }

void announce(const TuneBench& bench, const std::string& dir) {
  const auto& o = bench.setup.options;
  const auto& space = bench.space;
  std::cerr << fmt::format("scxlab tune: {} on {}, {} {}, {} evaluations then {} A/B validation rounds, seed {}\n"
                           "space: {}\nresults: {}\n",
                           bench.command_mode() ? o.space_file : o.scheduler,
                           bench.command_mode() ? o.command : bench.setup.entry.label,
                           bench.setup.goal.direction == Direction::lower_is_better ? "minimise" : "maximise",
                           bench.setup.goal.metric, o.budget, o.validate_reps, bench.setup.seed,
                           space.space.describe(space.space.defaults()), dir);
  if (!o.fleet.empty()) {
    std::cerr << fmt::format("fleet: class {}, {} evaluations at once, on the workers of {}\n", o.fleet, o.parallel,
                             o.store);
  }
  for (const auto& l : space.left_out) std::cerr << "  not tuned: " << l << "\n";
  for (const auto& c : space.constraints) std::cerr << "  constraint: " << c << "\n";
}

// Refused before anything is written: a fleet needs a shared store and a class.
void check_fleet(const TuneOptions& o) {
  if (o.parallel < 1) throw UsageError(fmt::format("--parallel {}: give 1 or more evaluations at once", o.parallel));
  if (o.fleet.empty()) {
    if (o.parallel > 1) {
      throw UsageError("--parallel runs evaluations on a fleet's workers: give --fleet CLASS and --store "
                       "postgresql://... (see README, Running on a fleet)");
    }
    return;
  }
  check_fleet_store(o.fleet, o.store);
}

// What a fleet worker needs to build this tune's bench (harness/worker.cpp).
nlohmann::json worker_context(const TuneBench& bench) {
  nlohmann::json tune{{"options", bench.setup.options}, {"seed", bench.setup.seed}};
  if (bench.command_mode()) tune["space_toml"] = base::read_file_or_empty(bench.setup.options.space_file);
  return tune;
}

std::unique_ptr<TrialDispatcher> make_dispatcher(const TuneBench& bench, store::ResultsDb& db, std::int64_t run_id,
                                                 Progress& progress, const InterruptGuard& guard) {
  const auto& o = bench.setup.options;
  if (o.fleet.empty()) return std::make_unique<LocalDispatcher>(bench.evaluator, db, run_id, progress, bench.setup.goal.metric);
  const FleetOptions fleet{o.store, resolve_class(o.fleet), static_cast<std::size_t>(o.parallel), o.wait_s};
  return std::make_unique<FleetDispatcher>(fleet, worker_context(bench), bench.space.space, db, *db.run(run_id),
                                           progress, bench.setup.goal.metric, guard);
}

}  // namespace
int tune_command(TuneOptions options) {
  require_privileges("tune");
  const bool resuming = !options.resume_dir.empty();
  if (!resuming) {  // bad input is refused before anything is written
    check_what_to_tune(options);
    if (!options.command.empty()) command_space(options);
  }
  const std::string dir = resuming ? options.resume_dir : (options.out_dir.empty() ? default_out_dir("tune") : options.out_dir);
  if (resuming && !fs::exists(fs::path(dir) / kDbName)) {
    throw UsageError(fmt::format("--resume {}: no {} there (give the directory of an interrupted tune)", dir, kDbName));
  }
  const std::string db_path = (fs::path(dir) / kDbName).string();
  std::optional<store::RunInfo> previous;
  if (resuming) previous = latest_run(open_results_db(db_path), "tune");
  if (previous) options = previous->plan.at("options").get<TuneOptions>();
  check_what_to_tune(options);
  const bool command_mode = !options.command.empty();
  if (command_mode) options.space_file = fs::absolute(options.space_file).string();  // resumable from anywhere

  check_fleet(options);

  InterruptGuard guard;
  // Before anything is written: the lab replays what a crashed run left and refuses a
  // scheduler it did not start. A fleet's coordinator runs no trial: its journal is its own and
  // it leaves sched_ext to the workers (one may serve a scheduler on this very host).
  auto lo = lab_options(options);
  if (!options.fleet.empty()) {
    prepare_out_dir(dir);
    lo.journal_path = (fs::path(dir) / "journal.json").string();
    lo.runs_trials = false;
  }
  Lab lab(lo, guard.flag());
  for (const auto& n : lab.notes()) std::cerr << n << "\n";
  check_store(options.store);
  prepare_out_dir(dir);
  store::ResultsDb db = open_results_db(db_path);
  const TuneBench bench(options, previous ? previous->seed : (options.seed ? *options.seed : std::random_device{}()), lab,
                        dir);
  const auto& setup = bench.setup;
  const auto& space = bench.space;
  const std::int64_t run_id = previous ? previous->id : create_run(db, "tune", setup.plan(), setup.seed);
  db.set_run_status(run_id, "running");
  if (!options.quiet) announce(bench, dir);

  Progress progress(static_cast<std::size_t>(options.budget), options.quiet);
  lab.on_wait([&progress](const std::string& what, int seconds) { progress.waiting(what, seconds); });
  const auto dispatcher = make_dispatcher(bench, db, run_id, progress, guard);
  TuneLoop loop(setup, space.space, *dispatcher, db, run_id, guard);
  bool complete = loop.run();
  std::optional<Recommendation> recommendation;
  if (complete) {
    const auto best = loop.optimizer().recommend();
    const bool is_default = best.config == space.space.defaults();
    if (!is_default) complete = validate(setup, {space.space.defaults(), best.config}, *dispatcher, db, run_id, guard);
    if (complete) {
      recommendation = decide(db, run_id, setup.entry.label, setup.goal.metric, setup.bounds, loop.optimizer(),
                              loop.tally(), bench.manifest, is_default, options.min_effect, setup.seed);
      if (bench.command_mode()) recommendation->command_line = with_values(options.command, space.space, best.config);
      db.set_run_outcome(run_id, tune_outcome_json(*recommendation, loop.optimizer(), setup.goal.direction));
    }
  }
  progress.finish();
  lab.stop_scheduler();
  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  auto notes = loop.tally().lines();
  if (auto* fleet = dynamic_cast<FleetDispatcher*>(dispatcher.get())) {
    fleet->finish(complete ? "complete" : "interrupted", db.run(run_id)->outcome);  // the shared store has the run
  } else if (complete) {
    record_finished_run("tune", options.store, db, run_id, options.quiet, notes);
  }
  const AnalysisRequest request{kDefaultLabel, options.min_effect, {{setup.entry.label, setup.entry.headline}}, setup.seed};
  write_outputs(db, run_id, dir, request, options.json, notes,
                recommendation ? nlohmann::json{{"tune", recommendation_json(*recommendation)}} : nlohmann::json());
  if (!complete) {
    std::cerr << "interrupted: every finished evaluation is saved in " << dir << "/" << kDbName << "\n"
              << resume_hint(dir) << "\n";
    return kExitInterrupted;
  }
  write_recommendation(*recommendation, dir, options.quiet || options.json);  // --json: on stdout already
  return kExitOk;
}

}  // namespace scxlab::harness
