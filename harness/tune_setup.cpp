#include "harness/tune_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "harness/errors.hpp"
#include "harness/objective_command.hpp"
#include "harness/recommendation.hpp"
#include "tuner/space_file.hpp"

namespace scxlab::harness {
namespace {

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

// What to tune: the space file's knobs, or the scheduler's that this host allows.
TuneSpace choose_space(const TuneOptions& o, Lab& lab) {
  if (o.space_file.empty()) {
    const auto& m = lab.manifest(o.scheduler);
    return tune_space(m, lab.unavailable_knobs(m.name), *workloads::find_workload(parse_entry(o.workload).workload),
                      o.knobs);
  }
  return {command_space(o), {}, {}};
}

}  // namespace

std::optional<double> metric_value(const store::TrialRecord& t, const std::string& name) {
  for (const auto& m : t.metrics) {
    if (m.name == name && std::isfinite(m.value)) return m.value;
  }
  return std::nullopt;
}

nlohmann::json tune_trial_to_json(const TuneTrial& t, const tuner::Space& space) {
  return {{"seq", t.seq}, {"round", t.round}, {"kind", store::to_string(t.kind)}, {"label", t.label},
          {"config", space.to_json(t.config)}, {"why", t.why}, {"what", t.what}};
}

TuneTrial tune_trial_from_json(const nlohmann::json& j, const tuner::Space& space) {
  return {j.at("seq").get<int>(), j.at("round").get<int>(), store::trial_kind_from(j.at("kind").get<std::string>()),
          j.at("label").get<std::string>(), space.from_json(j.at("config")), j.at("why").get<std::string>(),
          j.at("what").get<std::string>()};
}

store::TrialRecord Evaluator::run(const TuneTrial& trial) const {
  auto rec = run_in_lab(trial.config, trial.label, trial.kind);
  rec.seq = trial.seq;
  rec.round = trial.round;
  if (trial.kind == store::TrialKind::tune) {
    rec.scheduler_config["tuner"] = space_.to_json(trial.config);
    rec.scheduler_config["proposed_because"] = trial.why;
  }
  return rec;
}

store::TrialRecord Evaluator::run_in_lab(const tuner::Config& config, const std::string& label,
                                         store::TrialKind kind) const {
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

store::TrialRecord Evaluator::rejected(const schedulers::Config& sched, store::TrialKind kind,
                                       const std::string& why) const {
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

TuneBench::TuneBench(const TuneOptions& options, std::uint64_t seed, Lab& lab, const std::string& dir)
    : space(choose_space(options, lab)),
      manifest(options.command.empty() ? lab.manifest(options.scheduler) : kernel_default(lab)),
      setup(make_setup(options, seed, options.command.empty() ? nullptr : &space.space, dir)),
      evaluator(lab, manifest, space.space, setup.entry, !options.command.empty()) {}

LabOptions lab_options(const TuneOptions& o) {
  auto lo = make_lab_options(o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, o.attach_timeout_s);
  lo.backend.scx_timeout_ms = 5000;  // a bad proposal is ejected in seconds, not 30 s
  return lo;
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

void check_what_to_tune(const TuneOptions& o) {
  if (o.space_file.empty() != o.command.empty())
    throw UsageError("--space and --command go together: the space file's knobs, {knob} in the command");
  if (!o.space_file.empty() && !o.scheduler.empty())
    throw UsageError("give --scheduler (tune its knobs on a workload) or --space with --command, not both");
  if (o.space_file.empty() && o.scheduler.empty())
    throw UsageError("--scheduler is required (see: scxlab list schedulers), or --space FILE --command CMD");
}

}  // namespace scxlab::harness
