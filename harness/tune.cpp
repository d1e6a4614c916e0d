#include "harness/tune.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

#include <fmt/format.h>

#include "harness/errors.hpp"
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
#include "harness/tune_space.hpp"
#include "tuner/optimizer.hpp"
#include "tuner/space_file.hpp"

namespace scxlab::harness {

// What the store keeps of the options (not where the files go: a resumed run is told that).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TuneOptions, scheduler, workload, space_file, command, knobs, minimize,
                                                maximize, subject_to, budget, time_budget_s, validate_reps, min_effect,
                                                seed, store, trial_timeout_s, attach_timeout_s, json, quiet, no_bpf, take_over,
                                                manifest_dirs)

namespace fs = std::filesystem;
namespace {

constexpr const char* kDbName = "results.db";
constexpr int kFirstValidationSeq = 100000;  // after any number of tuning evaluations
const std::string kDefaultLabel = "default", kTunedLabel = "tuned";

struct Goal {
  std::string metric;
  Direction direction = Direction::lower_is_better;
  bool log_scale = false;  // model log(value): durations and latencies
};

// Latencies and durations are modelled in log space: their noise is multiplicative.
bool log_scaled(const std::string& metric, const workloads::WorkloadInfo& w) {
  for (const auto& m : w.metrics) {
    if (m.name == metric) return m.unit == "us" || m.unit == "ms" || m.unit == "s" || m.unit == "ns";
  }
  return metric.find("_us") != std::string::npos || metric.find("_ms") != std::string::npos;
}

// The objective: as asked, else the workload's first headline metric (the command's "value"
// when tuning a command, `workload` null).
Goal choose_goal(const TuneOptions& o, const workloads::WorkloadInfo* w) {
  if (!o.minimize.empty() && !o.maximize.empty()) throw UsageError("give --minimize or --maximize, not both");
  Goal g{"value", Direction::lower_is_better, false};
  if (!o.minimize.empty()) g = {o.minimize, Direction::lower_is_better, false};
  else if (!o.maximize.empty()) g = {o.maximize, Direction::higher_is_better, false};
  else if (w) {
    const auto it = std::find_if(w->metrics.begin(), w->metrics.end(),
                                 [](const auto& m) { return m.headline && m.direction != Direction::informational; });
    if (it == w->metrics.end())
      throw UsageError(fmt::format("{} has no headline metric: choose one with --minimize or --maximize", w->name));
    g = {it->name, it->direction, false};
  }
  g.log_scale = w && log_scaled(g.metric, *w);
  return g;
}

std::optional<double> metric_value(const store::TrialRecord& t, const std::string& name) {
  for (const auto& m : t.metrics) {
    if (m.name == name && std::isfinite(m.value)) return m.value;
  }
  return std::nullopt;
}

std::string metric_names(const store::TrialRecord& t) {
  std::string out;
  for (const auto& m : t.metrics) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

// Everything a tune needs to run or resume; `plan()` is what the store records.
struct TuneSetup {
  TuneOptions options;
  Entry entry;
  Goal goal;
  std::vector<Bound> bounds;
  std::uint64_t seed = 0;

  nlohmann::json plan() const { return {{"options", options}, {"seed", seed}}; }
};

// What one evaluation runs: a scheduler configuration made of the knob values, on the
// workload; or, tuning a space file, the command workload with the knob values as its
// parameters, under the kernel default.
class Evaluator {
 public:
  Evaluator(Lab& lab, const schedulers::Manifest& manifest, const tuner::Space& space, Entry entry, bool knobs_are_params)
      : lab_(lab), manifest_(manifest), space_(space), entry_(std::move(entry)), knobs_are_params_(knobs_are_params) {}

  store::TrialRecord run(const tuner::Config& config, const std::string& label, store::TrialKind kind) const {
    if (knobs_are_params_) {
      auto entry = entry_;
      for (std::size_t i = 0; i < space_.knobs().size(); ++i)
        entry.params[space_.knobs()[i].name] = tuner::to_string(config.values.at(i));
      return lab_.run_trial(schedulers::Config{manifest_.name, label, "", {}, {}}, entry, kind);
    }
    const auto sched = to_scheduler_config(manifest_, space_, config, label);
    try {
      schedulers::effective_knobs(manifest_, sched);  // the space's rule should have kept it out
    } catch (const std::invalid_argument& e) {
      return rejected(sched, kind, e.what());
    }
    return lab_.run_trial(sched, entry_, kind);
  }

 private:
  store::TrialRecord rejected(const schedulers::Config& sched, store::TrialKind kind, const std::string& why) const {
    store::TrialRecord rec;
    rec.kind = kind;
    rec.scheduler = sched.label;
    rec.scheduler_config = {{"scheduler", sched.scheduler}, {"label", sched.label}, {"knobs", sched.knobs}};
    rec.workload = entry_.label;
    rec.workload_params = entry_.params;
    rec.status = store::TrialStatus::failed;
    rec.reason = std::string(kNotRun) + why;
    rec.started_utc = rec.ended_utc = utc_now_iso8601();
    return rec;
  }

  Lab& lab_;
  const schedulers::Manifest& manifest_;
  const tuner::Space& space_;
  Entry entry_;
  bool knobs_are_params_;
};

// The tuning phase: evaluations as trials, observed by the optimiser, committed one by one.
class TuneLoop {
 public:
  TuneLoop(const TuneSetup& setup, const tuner::Space& space, const Evaluator& evaluator, store::ResultsDb& db,
           std::int64_t run_id, const InterruptGuard& guard)
      : setup_(setup), space_(space), evaluator_(evaluator), db_(db), run_id_(run_id), guard_(guard) {
    for (auto& t : db.trials(run_id)) {
      if (t.status != store::TrialStatus::interrupted && t.kind == store::TrialKind::tune) committed_.push_back(std::move(t));
    }
  }

  // Returns false when interrupted.
  bool run(Progress& progress) {
    const auto baseline = evaluate_default(progress);
    if (!baseline) return false;
    try {
      optimizer_.emplace(space_, optimizer_options(*baseline));
    } catch (const tuner::SpaceError& e) {  // constraints that leave almost no room
      throw UsageError(e.what());
    }
    for (const auto& t : committed_) optimizer_->observe(space_.from_json(t.scheduler_config.at("tuner")), outcome(t));
    progress.set_total(static_cast<std::size_t>(setup_.options.budget));
    while (!optimizer_->finished()) {
      if (guard_.interrupted()) return false;
      const auto s = optimizer_->suggest();
      auto rec = evaluate(s.config, std::string(tuner::to_string(s.reason)), progress);
      if (rec.status == store::TrialStatus::interrupted) return false;
      optimizer_->observe(s.config, outcome(rec));
      committed_.push_back(std::move(rec));
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
  std::optional<store::TrialRecord> evaluate_default(Progress& progress) {
    if (committed_.empty()) {
      auto rec = evaluate(space_.defaults(), "default", progress);
      if (rec.status == store::TrialStatus::interrupted) return std::nullopt;
      committed_.push_back(rec);
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

  store::TrialRecord evaluate(const tuner::Config& config, const std::string& why, Progress& progress) {
    const auto seq = optimizer_ ? static_cast<int>(optimizer_->evaluations()) : 0;
    const auto label = fmt::format("eval-{}", seq + 1);
    progress.begin_trial(static_cast<std::size_t>(seq), fmt::format("{} ({}) {}", label, why, space_.describe(config)));
    auto rec = evaluator_.run(config, label, store::TrialKind::tune);
    rec.run_id = run_id_;
    rec.seq = seq;
    rec.scheduler_config["tuner"] = space_.to_json(config);
    rec.scheduler_config["proposed_because"] = why;
    db_.add_trial(rec);
    const auto value = metric_value(rec, setup_.goal.metric);
    progress.end_trial(rec.status == store::TrialStatus::ok && value ? fmt::format("{} = {:.4g}", setup_.goal.metric, *value)
                                                   : fmt::format("{}: {}", to_string(rec.status), rec.reason),
                       rec.wall_s + rec.overhead_s);
    return rec;
  }

  const TuneSetup& setup_;
  const tuner::Space& space_;
  const Evaluator& evaluator_;
  store::ResultsDb& db_;
  std::int64_t run_id_;
  const InterruptGuard& guard_;
  std::vector<store::TrialRecord> committed_;
  std::optional<tuner::Optimizer> optimizer_;
};

// Interleaved A/B rounds of the default and the recommended configuration, the order of the
// pair drawn per round from the run's seed (as a shootout's). Returns false when interrupted.
bool validate(const TuneSetup& setup, const std::vector<tuner::Config>& pair, const Evaluator& evaluator,
              store::ResultsDb& db, std::int64_t run_id, const InterruptGuard& guard, Progress& progress) {
  const std::string labels[] = {kDefaultLabel, kTunedLabel};
  const auto done = db.completed_seqs(run_id);
  const PlanShape shape{pair.size(), 1, 0, setup.seed};
  progress.set_total(static_cast<std::size_t>(2 * setup.options.validate_reps));
  std::size_t finished = 0;
  for (int round = 0; round < setup.options.validate_reps; ++round) {
    for (const auto& t : plan_round(shape, round)) {
      const int seq = kFirstValidationSeq + t.seq;
      if (done.count(seq)) {
        ++finished;
        continue;
      }
      if (guard.interrupted()) return false;
      progress.begin_trial(finished, fmt::format("validation round {} {}", round + 1, labels[t.scheduler]));
      auto rec = evaluator.run(pair[t.scheduler], labels[t.scheduler], store::TrialKind::validate);
      rec.run_id = run_id;
      rec.seq = seq;
      rec.round = round;
      db.add_trial(rec);
      ++finished;
      progress.end_trial(std::string(to_string(rec.status)), rec.wall_s + rec.overhead_s);
      if (rec.status == store::TrialStatus::interrupted) return false;
    }
  }
  return true;
}

LabOptions lab_options(const TuneOptions& o) {
  auto lo = make_lab_options(o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, o.attach_timeout_s);
  lo.backend.scx_timeout_ms = 5000;  // a bad proposal is ejected in seconds, not 30 s
  return lo;
}

// `command_space`: tuning a space file's knobs with a command (its workload is written to
// `dir`), else a scheduler's knobs on the workload.
TuneSetup make_setup(const TuneOptions& o, std::uint64_t seed, const tuner::Space* command_space, const std::string& dir) {
  TuneSetup s{o, {}, {}, {}, seed};
  if (command_space) {
    s.goal = choose_goal(o, nullptr);
    s.entry = make_entry("objective", write_objective_workload(dir, o.command, *command_space, s.goal.metric,
                                                               s.goal.direction), {});
  } else {
    s.entry = parse_entry(o.workload);
    const auto info = workloads::find_workload(s.entry.workload);
    s.goal = choose_goal(o, &*info);
  }
  for (const auto& text : o.subject_to) s.bounds.push_back(parse_bound(text));
  s.entry.headline = {s.goal.metric};
  for (const auto& b : s.bounds) s.entry.headline.insert(b.metric);
  return s;
}

const schedulers::Manifest& kernel_default(const Lab& lab) {
  for (const auto& m : lab.manifests()) {
    if (m.backend == schedulers::BackendKind::kernel) return m;
  }
  throw UsageError("no manifest of the kernel's default scheduler (backend = \"kernel\")");
}

tuner::Space command_space(const TuneOptions& o) {
  try {
    auto space = tuner::load_space_file(o.space_file);
    if (!o.knobs.empty()) space.tune_only(o.knobs);
    check_command(o.command, space);
    return space;
  } catch (const tuner::SpaceError& e) {
    throw UsageError(fmt::format("--space {}: {}", o.space_file, e.what()));
  }
}

// What to tune: the space file's knobs, or the scheduler's that this host allows.
TuneSpace choose_space(const TuneOptions& o, Lab& lab) {
  if (o.space_file.empty()) {
    const auto& m = lab.manifest(o.scheduler);
    return tune_space(m, lab.unavailable_knobs(m.name), *workloads::find_workload(parse_entry(o.workload).workload),
                      o.knobs);
  }
  return {command_space(o), {}, {}};
}

void check_what_to_tune(const TuneOptions& o) {
  if (o.space_file.empty() != o.command.empty())
    throw UsageError("--space and --command go together: the space file's knobs, {knob} in the command");
  if (!o.space_file.empty() && !o.scheduler.empty())
    throw UsageError("give --scheduler (tune its knobs on a workload) or --space with --command, not both");
  if (o.space_file.empty() && o.scheduler.empty())
    throw UsageError("--scheduler is required (see: scxlab list schedulers), or --space FILE --command CMD");
}

std::string resume_hint(const std::string& dir) { return fmt::format("resume with: scxlab tune --resume {}", dir); }

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

  InterruptGuard guard;
  // Before anything is written: the lab replays what a crashed run left and refuses a
  // scheduler it did not start.
  Lab lab(lab_options(options), guard.flag());
  for (const auto& n : lab.notes()) std::cerr << n << "\n";
  check_store(options.store);
  prepare_out_dir(dir);
  store::ResultsDb db = open_results_db(db_path);
  const auto space = choose_space(options, lab);
  const auto& manifest = command_mode ? kernel_default(lab) : lab.manifest(options.scheduler);
  const auto setup = make_setup(options, previous ? previous->seed : (options.seed ? *options.seed : std::random_device{}()),
                                command_mode ? &space.space : nullptr, dir);
  const std::int64_t run_id = previous ? previous->id : create_run(db, "tune", setup.plan(), setup.seed);
  db.set_run_status(run_id, "running");
  if (!options.quiet) {
    std::cerr << fmt::format("scxlab tune: {} on {}, {} {}, {} evaluations then {} A/B validation rounds, seed {}\n"
                             "space: {}\nresults: {}\n",
                             command_mode ? options.space_file : options.scheduler,
                             command_mode ? options.command : setup.entry.label,
                             setup.goal.direction == Direction::lower_is_better ? "minimise" : "maximise",
                             setup.goal.metric, options.budget, options.validate_reps, setup.seed,
                             space.space.describe(space.space.defaults()), dir);
    for (const auto& l : space.left_out) std::cerr << "  not tuned: " << l << "\n";
    for (const auto& c : space.constraints) std::cerr << "  constraint: " << c << "\n";
  }

  Progress progress(static_cast<std::size_t>(options.budget), options.quiet);
  lab.on_wait([&progress](const std::string& what, int seconds) { progress.waiting(what, seconds); });
  const Evaluator evaluator(lab, manifest, space.space, setup.entry, command_mode);
  TuneLoop loop(setup, space.space, evaluator, db, run_id, guard);
  bool complete = loop.run(progress);
  std::optional<Recommendation> recommendation;
  if (complete) {
    const auto best = loop.optimizer().recommend();
    const bool is_default = best.config == space.space.defaults();
    if (!is_default) complete = validate(setup, {space.space.defaults(), best.config}, evaluator, db, run_id, guard, progress);
    if (complete) {
      recommendation = decide(db, run_id, setup.entry.label, setup.goal.metric, setup.bounds, loop.optimizer(),
                              loop.tally(), manifest, is_default, options.min_effect, setup.seed);
      if (command_mode) recommendation->command_line = with_values(options.command, space.space, best.config);
      db.set_run_outcome(run_id, tune_outcome_json(*recommendation, loop.optimizer(), setup.goal.direction));
    }
  }
  progress.finish();
  lab.stop_scheduler();
  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  auto notes = loop.tally().lines();
  if (complete) record_finished_run("tune", options.store, db, run_id, options.quiet, notes);
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
