#include "harness/gate.hpp"

#include <filesystem>
#include <iostream>
#include <random>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/files.hpp"
#include "harness/entries.hpp"
#include "harness/errors.hpp"
#include "harness/gated.hpp"
#include "harness/host.hpp"
#include "harness/json_optional.hpp"
#include "harness/fleet_rounds.hpp"
#include "harness/lab.hpp"
#include "harness/privileges.hpp"
#include "harness/progress.hpp"
#include "harness/results.hpp"
#include "harness/rounds.hpp"
#include "harness/schedulers_choice.hpp"
#include "harness/shootout.hpp"
#include "harness/signals.hpp"
#include "reports/gate_report.hpp"
#include "reports/report.hpp"

namespace scxlab::harness {

// What the store keeps of the options (not where the files go: a resumed run is told that).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GateOptions, candidates, baseline, baseline_label, suite, workloads,
                                                workloads_chosen, metrics, threshold, reps, warmup, max_reps,
                                                trial_timeout_s, attach_timeout_s, cooldown_s, seed, store, fleet, wait_s, no_record,
                                                allow_other_host, json, quiet, no_bpf, take_over, manifest_dirs)

namespace fs = std::filesystem;
namespace {

constexpr const char* kDbName = "results.db";
constexpr const char* kInterleaved = "interleaved with the candidate in this run";

// "NAME=PATH" is another build of NAME, labelled by its role; anything else is a -s spec.
schedulers::Config gate_config(const std::string& spec, const std::string& role,
                               const std::vector<schedulers::Manifest>& manifests) {
  const auto eq = spec.find('=');
  const auto items = spec.find_first_of(":@");
  if (eq != std::string::npos && (items == std::string::npos || eq < items)) {
    return config_from_spec(fmt::format("{}@{}:binary={}", spec.substr(0, eq), role, spec.substr(eq + 1)), manifests);
  }
  return config_from_spec(spec, manifests);
}

std::vector<schedulers::Manifest> manifests_of(const GateOptions& o) {
  try {
    return schedulers::load_manifests(o.manifest_dirs);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
}

// Everything a gate needs to run or resume, and what the store records as its plan.
struct GateSetup {
  GateOptions options;
  std::vector<schedulers::Config> configs;  // what runs: the candidates, and an interleaved baseline
  std::vector<Entry> entries;
  std::vector<std::string> candidates;      // labels
  std::string baseline;                     // label in the analysis
  std::string baseline_source;              // for people
  std::string baseline_run;                 // uuid of a stored baseline's run, copied into this DB
  std::string baseline_run_label;           // its configuration in that run
  HeadlineMap gated;
  std::uint64_t seed = 0;
  int start_reps = 5;
  std::optional<store::StoredRun> stored;   // a fresh setup's stored baseline, to copy into the gate's DB

  RoundPlan round_plan() const {
    return {configs, entries, options.warmup, start_reps, options.max_reps, std::nullopt, seed};
  }
  AnalysisRequest request() const { return {baseline, options.threshold, gated, seed, true}; }

  nlohmann::json plan() const {
    return {{"options", nlohmann::json(options)}, {"schedulers", configs_to_json(configs)},
            {"entries", entries_to_json(entries)}, {"candidates", candidates},
            {"baseline", baseline},  {"baseline_source", baseline_source},
            {"baseline_run", baseline_run}, {"baseline_run_label", baseline_run_label},
            {"gated", gated}, {"seed", seed}, {"start_reps", start_reps}};
  }

  static GateSetup from_plan(const nlohmann::json& p) {
    GateSetup s;
    s.options = p.at("options").get<GateOptions>();
    s.configs = configs_from_json(p.at("schedulers"));
    s.entries = entries_from_json(p.at("entries"));
    s.candidates = p.at("candidates").get<std::vector<std::string>>();
    s.baseline = p.at("baseline");
    s.baseline_source = p.at("baseline_source");
    s.baseline_run = p.at("baseline_run");
    s.baseline_run_label = p.at("baseline_run_label");
    s.gated = p.at("gated").get<HeadlineMap>();
    s.seed = p.at("seed");
    s.start_reps = p.at("start_reps");
    return s;
  }
};

bool same_entries(const std::vector<Entry>& a, const std::vector<Entry>& b) {
  return entries_to_json(a) == entries_to_json(b);
}

// A stored baseline: its run's workloads are the gate's, and its configuration is "baseline".
void use_stored_baseline(GateSetup& s, const StoredBaseline& stored) {
  check_same_host(stored, s.options.allow_other_host);
  s.baseline = "baseline";
  s.baseline_source = stored.source;
  s.baseline_run = stored.run.run.uuid;
  s.baseline_run_label = stored.label;
  s.stored = stored.run;
  if (!stored.run.run.plan.contains("entries")) {
    throw UsageError(fmt::format("the baseline ({}) is a {} run without a workload plan: give a gate or shootout run",
                                 stored.source, stored.run.run.kind));
  }
  s.entries = entries_from_json(stored.run.run.plan.at("entries"));
  if (s.options.workloads_chosen && !same_entries(resolve_entries(s.options.suite, s.options.workloads), s.entries)) {
    throw UsageError(fmt::format("the baseline ({}) measured other workloads than --suite/--workload ask for ({}): gate "
                                 "what the baseline measured (leave out --suite and --workload), or save a new baseline",
                                 stored.source, entries_to_json(s.entries).dump()));
  }
}

void check_labels(const GateSetup& s) {
  std::set<std::string> seen;
  for (const auto& c : s.configs) {
    if (!seen.insert(c.label).second || (!s.baseline_run.empty() && c.label == s.baseline)) {
      throw UsageError(fmt::format("two configurations are labelled '{}': give each its own label, e.g. --candidate "
                                   "{}@new:binary=PATH",
                                   c.label, c.scheduler));
    }
  }
}

// Everything checked before anything is written: the specs, the binaries, the baseline, the
// workloads, the gated metrics.
GateSetup fresh_setup(const GateOptions& o) {
  if (o.candidates.empty()) {
    throw UsageError("nothing to gate: give the build or configuration with --candidate, e.g. --candidate "
                     "scx_lavd=./target/release/scx_lavd");
  }
  if (o.baseline.empty()) {
    throw UsageError("nothing to compare with: give --baseline, e.g. --baseline scx_lavd=/usr/bin/scx_lavd (run in "
                     "the same rounds), a run directory, a results.json or a saved baseline's name");
  }
  const auto manifests = manifests_of(o);
  GateSetup s;
  s.options = o;
  for (std::size_t i = 0; i < o.candidates.size(); ++i) {
    s.configs.push_back(gate_config(o.candidates[i], i == 0 ? "candidate" : fmt::format("candidate{}", i + 1), manifests));
    s.candidates.push_back(s.configs.back().label);
  }
  if (const auto stored = find_stored_baseline(o.baseline, o.baseline_label, o.store)) {
    use_stored_baseline(s, *stored);
  } else {
    if (!o.baseline_label.empty()) {
      throw UsageError(fmt::format("--baseline-label picks a configuration of a stored run, but --baseline {} is a "
                                   "scheduler configuration: leave --baseline-label out", o.baseline));
    }
    s.configs.push_back(gate_config(o.baseline, "baseline", manifests));
    s.baseline = s.configs.back().label;
    s.baseline_source = kInterleaved;
    s.entries = resolve_entries(o.suite, o.workloads);
  }
  check_labels(s);
  s.gated = gated_metrics(s.entries, o.metrics);
  s.start_reps = stats::gate_start_repetitions(o.reps, gated_count(s.gated));
  if (s.start_reps > o.max_reps) {
    throw UsageError(fmt::format("--max-reps {}: {} gated metrics need at least {} repetitions to show anything: raise "
                                 "--max-reps, or gate fewer metrics with --metrics", o.max_reps, gated_count(s.gated),
                                 s.start_reps));
  }
  s.seed = o.seed ? *o.seed : std::random_device{}();
  return s;
}

// This run's trials and, for a stored baseline, its run's trials of the baseline configuration
// under the label "baseline".
std::vector<store::TrialRecord> gate_trials(const GateSetup& s, const store::ResultsDb& db, std::int64_t run_id) {
  auto trials = db.trials(run_id);
  if (s.baseline_run.empty()) return trials;
  const auto base = db.run_by_uuid(s.baseline_run);
  if (!base) throw UsageError(fmt::format("{} lost the baseline run {}: start the gate again", db.path(), s.baseline_run));
  for (auto t : db.trials(base->id)) {
    if (t.scheduler != s.baseline_run_label) continue;
    t.scheduler = s.baseline;
    trials.push_back(std::move(t));
  }
  return trials;
}

stats::GateVerdict verdict_of(const GateSetup& s, const std::vector<store::TrialRecord>& trials,
                              const stats::RunAnalysis& analysis) {
  return stats::gate_verdict(analysis, s.candidates, trial_outcomes(trials));
}

// The gated metrics' history in the store, this run included, with change points.
std::vector<reports::HistorySeries> gated_history(const GateSetup& s, const store::ResultsDb& store) {
  std::vector<reports::HistorySeries> out;
  for (const auto& candidate : s.candidates) {
    for (const auto& [workload, metrics] : s.gated) {
      for (const auto& metric : metrics) {
        const auto series = reports::metric_history(store, {metric, candidate, workload});
        out.insert(out.end(), series.begin(), series.end());
      }
    }
  }
  reports::find_changes(out, {});
  return out;
}

// Adds the finished run to the results store and reads the gated metrics' history from it.
std::vector<reports::HistorySeries> record(const GateSetup& s, const store::ResultsDb& db, std::int64_t run_id,
                                           std::vector<std::string>& notes) {
  if (s.options.no_record) return {};
  try {
    return gated_history(s, record_in_store(s.options.store, db, run_id));
  } catch (const UsageError& e) {
    notes.push_back(fmt::format("not recorded in the results store: {}", e.what()));
    std::cerr << "scxlab gate: " << notes.back() << "\n";
    return {};
  }
}

reports::GateReport gate_report(const GateSetup& s, const store::RunInfo& run, stats::GateVerdict verdict,
                                int repetitions) {
  reports::GateReport r;
  r.verdict = std::move(verdict);
  r.baseline = s.baseline;
  r.baseline_source = s.baseline_source;
  r.candidates = s.candidates;
  r.threshold = s.options.threshold;
  r.repetitions = repetitions;
  r.max_repetitions = s.options.max_reps;
  r.exit_code = gate_exit_code(r.verdict.outcome);
  r.run_uuid = run.uuid;
  r.created_utc = run.created_utc;
  r.hostname = run.host.value("hostname", "");
  r.host = fmt::format("kernel {}, {}", run.host.value("kernel", "?"), run.host.value("cpu_model", "?"));
  return r;
}

// The verdict, the files and the record of a finished gate; returns its exit code.
int finish(const GateSetup& s, const store::ResultsDb& db, std::int64_t run_id, const std::string& dir,
           int repetitions, std::vector<std::string> notes) {
  const auto trials = gate_trials(s, db, run_id);
  const auto analysis = analyse_trials(trials, s.request());
  const auto run = *db.run(run_id);
  auto report = gate_report(s, run, verdict_of(s, trials, analysis), repetitions);
  report.history = record(s, db, run_id, notes);
  report.notes = notes;
  reports::ReportInput input{run, trials, analysis, notes,
                             stats::gate_analysis_options(s.baseline, s.options.threshold, s.seed),
                             reports::render_gate_html(report)};
  write_run_files(db, run_id, dir, input);
  for (const auto& reporter : reports::gate_reporters()) {
    base::write_file_atomically((fs::path(dir) / reporter->file_name()).string(), reporter->render(report));
  }
  if (s.options.json) {
    std::cout << reports::JsonGateReporter::to_json(report).dump(2) << "\n";
  } else {
    print_analysis(input, false);
    std::cout << reports::render_gate_text(report);
  }
  std::cerr << fmt::format("wrote {}/results.db, results.json, results.csv, report.html, gate.json, junit.xml, "
                           "summary.md\n", dir);
  return report.exit_code;
}

LabSpec lab_spec(const GateOptions& o) {
  return {o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, o.attach_timeout_s, o.cooldown_s, {}};
}


}  // namespace

int gate_exit_code(stats::Outcome outcome) {
  switch (outcome) {
    case stats::Outcome::pass: return kExitOk;
    case stats::Outcome::regression: return kExitFinding;
    case stats::Outcome::inconclusive: return kExitInconclusive;
  }
  return kExitInternal;
}

int gate_command(GateOptions options) {
  require_privileges("gate");
  const bool resuming = !options.resume_dir.empty();
  const std::string dir = resuming ? options.resume_dir : (options.out_dir.empty() ? default_out_dir("gate") : options.out_dir);
  const std::string db_path = (fs::path(dir) / kDbName).string();
  if (resuming && !fs::exists(db_path)) {
    throw UsageError(fmt::format("--resume {}: no {} there (give the directory of an interrupted gate)", dir, kDbName));
  }
  std::optional<store::RunInfo> previous;
  if (resuming) previous = latest_run(open_results_db(db_path), "gate");
  std::optional<GateSetup> fresh;
  if (!previous) fresh = fresh_setup(options);
  const GateSetup setup = previous ? GateSetup::from_plan(previous->plan) : *fresh;

  check_fleet_store(setup.options.fleet, setup.options.store);
  InterruptGuard guard;
  // A fleet's coordinator runs no trial: it needs no lab.
  std::optional<Lab> lab;
  if (setup.options.fleet.empty()) {
    lab.emplace(lab_spec(setup.options).options(), guard.flag());
    for (const auto& n : lab->notes()) std::cerr << n << "\n";
  }
  prepare_out_dir(dir);
  store::ResultsDb db = open_results_db(db_path);
  // The gate's own DB holds its stored baseline's run: the directory is complete, and resumable.
  if (setup.stored) db.import_run(*setup.stored);
  const std::int64_t run_id = previous ? previous->id : create_run(db, "gate", setup.plan(), setup.seed);
  db.set_run_status(run_id, "running");
  if (!setup.options.quiet) {
    std::cerr << fmt::format("scxlab gate: {} against {} ({}) on {} workload(s), {} gated metric(s), threshold {:g}%, "
                             "{} to {} repetitions, seed {}\nresults: {}\n",
                             fmt::join(setup.candidates, ", "), setup.baseline, setup.baseline_source,
                             setup.entries.size(), gated_count(setup.gated), 100 * setup.options.threshold,
                             setup.start_reps, setup.options.max_reps, setup.seed, dir);
  }

  Progress progress(0, setup.options.quiet);
  if (lab) lab->on_wait([&progress](const std::string& what, int seconds) { progress.waiting(what, seconds); });
  const RoundPlan plan = setup.round_plan();
  const auto& o = setup.options;
  const auto rounds = make_rounds(plan, lab_spec(o), lab ? &*lab : nullptr, {o.store, o.fleet, 1, o.wait_s}, o.quiet, db,
                                  run_id, guard, progress);
  auto& loop = *rounds;
  const bool complete = loop.run([&] {
    const auto trials = gate_trials(setup, db, run_id);
    return stats::more_repetitions_wanted(verdict_of(setup, trials, analyse_trials(trials, setup.request())),
                                           setup.options.threshold, loop.measured_rounds());
  });
  progress.finish();
  if (lab) lab->stop_scheduler();
  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  if (!complete) {
    std::cerr << "interrupted: every finished trial is saved in " << dir << "/" << kDbName
              << "\nresume with: scxlab gate --resume " << dir << "\n";
    return kExitInterrupted;
  }
  auto notes = loop.notes();
  notes.push_back(fmt::format("{} measured repetitions: {} planned, {} added while a gated metric was inconclusive",
                              loop.measured_rounds(), setup.start_reps, loop.measured_rounds() - setup.start_reps));
  return finish(setup, db, run_id, dir, loop.measured_rounds(), notes);
}

}  // namespace scxlab::harness
