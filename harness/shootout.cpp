#include "harness/shootout.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <unistd.h>

#include "harness/entries.hpp"
#include "harness/errors.hpp"
#include "harness/fleet_rounds.hpp"
#include "harness/host.hpp"
#include "harness/json_optional.hpp"
#include "harness/lab.hpp"
#include "harness/plan.hpp"
#include "harness/privileges.hpp"
#include "harness/progress.hpp"
#include "harness/results.hpp"
#include "harness/results_store.hpp"
#include "harness/rounds.hpp"
#include "harness/schedulers_choice.hpp"
#include "harness/signals.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

// What the store keeps of the options (not where the files go: a resumed run is told that).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShootoutOptions, schedulers, suite, workloads, reps, warmup, target_ci,
                                                max_reps, time_budget_s, trial_timeout_s, attach_timeout_s, cooldown_s, seed, baseline,
                                                min_effect, store, fleet, wait_s, json, quiet, no_bpf, perf_events, take_over, manifest_dirs)

namespace fs = std::filesystem;
namespace {

constexpr const char* kDbName = "results.db";

// Everything a shootout needs to run or resume, and what the store records as its plan.
struct Setup {
  ShootoutOptions options;
  std::vector<schedulers::Config> configs;
  std::vector<Entry> entries;
  std::string baseline;
  std::uint64_t seed = 0;

  RoundPlan round_plan() const {
    return {configs, entries, options.warmup, options.reps, options.target_ci ? options.max_reps : options.reps,
            options.time_budget_s, seed};
  }
  AnalysisRequest analysis_request() const {
    return {baseline, options.min_effect, headline_map(entries), seed};
  }

  nlohmann::json plan() const {
    return {{"options", nlohmann::json(options)},
            {"schedulers", configs_to_json(configs)},
            {"entries", entries_to_json(entries)},
            {"baseline", baseline},
            {"seed", seed}};
  }
};

Setup fresh_setup(const ShootoutOptions& o, const std::vector<schedulers::Manifest>& manifests) {
  Setup s;
  s.options = o;
  s.configs = choose_configs(o.schedulers, manifests);
  s.entries = resolve_entries(o.suite, o.workloads);
  s.baseline = choose_baseline(o.baseline, s.configs, manifests);
  s.seed = o.seed ? *o.seed : std::random_device{}();
  return s;
}

Setup resumed_setup(const nlohmann::json& plan) {
  Setup s;
  s.options = plan.at("options").get<ShootoutOptions>();
  s.configs = configs_from_json(plan.at("schedulers"));
  s.entries = entries_from_json(plan.at("entries"));
  s.baseline = plan.at("baseline");
  s.seed = plan.at("seed");
  return s;
}

LabSpec lab_spec(const ShootoutOptions& o) {
  return {o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, o.attach_timeout_s, o.cooldown_s, o.perf_events};
}

// Refused before anything is written.
void check_fleet(const ShootoutOptions& o) {
  check_fleet_store(o.fleet, o.store);
  if (!o.fleet.empty() && o.time_budget_s) {
    throw UsageError("--time-budget fits rounds run one after another: on a fleet they run at once; use --reps "
                     "(or --target-ci with --max-reps) instead");
  }
}


std::string resume_hint(const std::string& dir) {
  return fmt::format("resume with: scxlab shootout --resume {}", dir);
}

}  // namespace

std::string default_out_dir(const std::string& kind) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return fmt::format("scxlab-results/{}-{}-{}", stamp, hostname(), kind);
}

void prepare_out_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw UsageError(fmt::format("cannot create output directory '{}': {}; choose another with --out DIR",
                                 dir, ec.message()));
  }
  const auto probe = fs::path(dir) / ".scxlab-write-test";
  std::ofstream out(probe);
  if (!(out << "ok" << std::flush)) {
    throw UsageError(fmt::format("output directory '{}' is not writable; choose another with --out DIR", dir));
  }
  out.close();
  fs::remove(probe, ec);
}

int shootout_command(ShootoutOptions options) {
  require_privileges("shootout");
  const bool resuming = !options.resume_dir.empty();
  const std::string dir = resuming ? options.resume_dir
                                   : (options.out_dir.empty() ? default_out_dir("shootout") : options.out_dir);
  if (resuming && !fs::exists(fs::path(dir) / kDbName)) {
    throw UsageError(fmt::format("--resume {}: no {} there (give the directory of an interrupted run)", dir, kDbName));
  }
  const std::string db_path = (fs::path(dir) / kDbName).string();
  std::optional<store::RunInfo> previous;
  if (resuming) previous = latest_run(open_results_db(db_path), "shootout");
  InterruptGuard guard;
  const ShootoutOptions asked = previous ? previous->plan.at("options").get<ShootoutOptions>() : options;
  check_fleet(asked);
  // Before anything is written: the lab replays what a crashed run left and refuses a
  // scheduler it did not start. A fleet's coordinator runs no trial: it needs no lab.
  std::optional<Lab> lab;
  if (asked.fleet.empty()) {
    lab.emplace(lab_spec(asked).options(), guard.flag());
    for (const auto& n : lab->notes()) std::cerr << n << "\n";
  }
  check_store(asked.store);
  prepare_out_dir(dir);
  store::ResultsDb db = open_results_db(db_path);

  const Setup setup = previous ? resumed_setup(previous->plan)
                               : fresh_setup(options, lab ? lab->manifests() : schedulers::load_manifests(asked.manifest_dirs));
  const std::int64_t run_id = previous ? previous->id : create_run(db, "shootout", setup.plan(), setup.seed);
  db.set_run_status(run_id, "running");
  if (!setup.options.quiet) {
    std::cerr << fmt::format("scxlab shootout: {} scheduler(s) x {} workload(s), {} warm-up + {} repetition(s), seed {}\n"
                             "results: {}\n",
                             setup.configs.size(), setup.entries.size(), setup.options.warmup,
                             setup.options.reps, setup.seed, dir);
  }

  Progress progress(0, setup.options.quiet);
  if (lab) lab->on_wait([&progress](const std::string& what, int seconds) { progress.waiting(what, seconds); });
  const RoundPlan plan = setup.round_plan();
  const auto& o = setup.options;
  const auto rounds = make_rounds(plan, lab_spec(o), lab ? &*lab : nullptr, {o.store, o.fleet, 1, o.wait_s}, o.quiet, db,
                                  run_id, guard, progress);
  Rounds::MoreWanted more;
  if (setup.options.target_ci) {
    more = [&] { return !all_headlines_precise(analyse_run(db, run_id, setup.analysis_request()), *setup.options.target_ci); };
  }
  const bool complete = rounds->run(more);
  progress.finish();
  if (lab) lab->stop_scheduler();

  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  auto notes = rounds->notes();
  // A fleet's run is in the shared store already, its trials written there by the workers.
  if (complete && setup.options.fleet.empty()) {
    record_finished_run("shootout", setup.options.store, db, run_id, setup.options.quiet, notes);
  }
  write_outputs(db, run_id, dir, setup.analysis_request(), setup.options.json, notes);
  if (!complete) {
    std::cerr << "interrupted: every finished trial is saved in " << dir << "/" << kDbName << "\n"
              << resume_hint(dir) << "\n";
    return kExitInterrupted;
  }
  return kExitOk;
}

}  // namespace scxlab::harness
