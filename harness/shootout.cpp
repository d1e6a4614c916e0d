#include "harness/shootout.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <unistd.h>

#include "harness/errors.hpp"
#include "harness/host.hpp"
#include "harness/json_optional.hpp"
#include "harness/lab.hpp"
#include "harness/plan.hpp"
#include "harness/privileges.hpp"
#include "harness/progress.hpp"
#include "harness/results.hpp"
#include "harness/schedulers_choice.hpp"
#include "harness/signals.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

// What the store keeps of the options (not where the files go: a resumed run is told that).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShootoutOptions, schedulers, suite, workloads, reps, warmup, target_ci,
                                                max_reps, time_budget_s, trial_timeout_s, attach_timeout_s, cooldown_s, seed, baseline,
                                                min_effect, json, quiet, no_bpf, perf_events, take_over, manifest_dirs)

namespace fs = std::filesystem;
namespace {

constexpr const char* kDbName = "results.db";

std::vector<Entry> resolve_entries(const ShootoutOptions& o) {
  std::vector<Entry> entries;
  if (!o.workloads.empty()) {
    for (const auto& spec : o.workloads) entries.push_back(parse_entry(spec));
  } else {
    workloads::Suite suite;
    try {
      suite = workloads::load_suite(o.suite);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
    for (const auto& se : suite.entries) entries.push_back(make_entry(se.label, se.workload, se.params));
  }
  std::set<std::string> labels;
  for (auto& e : entries) {
    std::string label = e.label;
    for (int n = 2; labels.count(label); ++n) label = fmt::format("{}#{}", e.label, n);
    e.label = label;
    labels.insert(label);
  }
  return entries;
}

nlohmann::json entries_to_json(const std::vector<Entry>& entries) {
  auto out = nlohmann::json::array();
  for (const auto& e : entries) {
    out.push_back({{"label", e.label}, {"workload", e.workload}, {"params", e.params}});
  }
  return out;
}

std::vector<Entry> entries_from_json(const nlohmann::json& j) {
  std::vector<Entry> entries;
  for (const auto& e : j) {
    entries.push_back(make_entry(e.at("label"), e.at("workload"), e.at("params").get<workloads::Params>()));
  }
  return entries;
}

// Everything a shootout needs to run or resume, and what the store records as its plan.
struct Setup {
  ShootoutOptions options;
  std::vector<schedulers::Config> configs;
  std::vector<Entry> entries;
  std::string baseline;
  std::uint64_t seed = 0;

  PlanShape shape() const { return {configs.size(), entries.size(), options.warmup, seed}; }
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

Setup fresh_setup(const ShootoutOptions& o, const Lab& lab) {
  Setup s;
  s.options = o;
  s.configs = choose_configs(o.schedulers, lab.manifests());
  s.entries = resolve_entries(o);
  s.baseline = choose_baseline(o.baseline, s.configs, lab.manifests());
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

// Runs rounds until the plan (and, with --target-ci, the precision) is satisfied, committing
// every trial before the next starts.
class RoundLoop {
 public:
  RoundLoop(const Setup& setup, Lab& lab, store::ResultsDb& db, std::int64_t run_id,
            const InterruptGuard& guard, Progress& progress)
      : setup_(setup), lab_(lab), db_(db), run_id_(run_id), guard_(guard), progress_(progress) {
    for (const auto& t : db.trials(run_id)) {
      if (t.status != "interrupted") committed_.insert(t.seq);
    }
  }

  // Returns false when interrupted.
  bool run() {
    const auto& o = setup_.options;
    int measured_rounds = o.reps;
    const int max_rounds = o.warmup + std::max(o.reps, o.target_ci ? o.max_reps : o.reps);
    progress_.set_total(trials_per_round(setup_.shape()) * static_cast<std::size_t>(o.warmup + o.reps));
    for (int round = 0; round < o.warmup + measured_rounds; ++round) {
      const auto round_started = std::chrono::steady_clock::now();
      if (!run_round(round)) return false;
      if (round == std::max(0, o.warmup - 1) && o.time_budget_s) {
        measured_rounds = fit_budget(round, round_started, measured_rounds);
        progress_.set_total(trials_per_round(setup_.shape()) *
                            static_cast<std::size_t>(o.warmup + measured_rounds));
      }
      const bool last = round + 1 == o.warmup + measured_rounds;
      if (last && o.target_ci && round + 1 < max_rounds && !precise_enough() && budget_allows(round_started)) {
        ++measured_rounds;
        progress_.set_total(progress_.total() + trials_per_round(setup_.shape()));
      }
    }
    return true;
  }

  const std::vector<std::string>& notes() const { return notes_; }

 private:
  bool run_round(int round) {
    for (const auto& t : plan_round(setup_.shape(), round)) {
      if (committed_.count(t.seq)) {
        ++done_;
        continue;
      }
      if (guard_.interrupted()) return false;
      const auto& config = setup_.configs[t.scheduler];
      const auto& entry = setup_.entries[t.entry];
      progress_.begin_trial(done_, fmt::format("round {} {} {}", t.warmup ? "warm-up" : std::to_string(round - setup_.options.warmup + 1),
                                               config.label, entry.label));
      const auto t0 = std::chrono::steady_clock::now();
      auto rec = lab_.run_trial(config, entry, t.warmup ? "warmup" : "measure");
      rec.run_id = run_id_;
      rec.seq = t.seq;
      rec.round = t.round;
      db_.add_trial(rec);
      ++done_;
      committed_.insert(t.seq);
      progress_.end_trial(rec.status + (rec.reason.empty() ? "" : ": " + rec.reason),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (rec.status == "interrupted") return false;
    }
    return true;
  }

  // After the first (warm-up) round: how many measured rounds fit the time budget.
  int fit_budget(int round, std::chrono::steady_clock::time_point round_started, int wanted) {
    const double round_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - round_started).count();
    const double left = *setup_.options.time_budget_s - elapsed_s();
    const int already = round + 1 - setup_.options.warmup;
    const int fit = already + std::max(0, static_cast<int>(left / std::max(round_s, 1e-3)));
    if (fit >= wanted) return wanted;
    notes_.push_back(fmt::format(
        "time budget {}: a round takes about {}, so {} of {} repetitions fit; dropped {} round(s){}",
        format_duration(*setup_.options.time_budget_s), format_duration(round_s), fit, wanted,
        wanted - fit, fit < 3 ? " (fewer than 3 repetitions: no differences can be called)" : ""));
    progress_.note(notes_.back());
    return std::max(fit, 0);
  }

  bool budget_allows(std::chrono::steady_clock::time_point round_started) const {
    if (!setup_.options.time_budget_s) return true;
    const double round_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - round_started).count();
    return elapsed_s() + round_s <= *setup_.options.time_budget_s;
  }

  bool precise_enough() {
    const auto analysis = analyse_run(db_, run_id_, setup_.analysis_request());
    return all_headlines_precise(analysis, *setup_.options.target_ci);
  }

  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

  const Setup& setup_;
  Lab& lab_;
  store::ResultsDb& db_;
  std::int64_t run_id_;
  const InterruptGuard& guard_;
  Progress& progress_;
  std::set<int> committed_;
  std::size_t done_ = 0;
  std::vector<std::string> notes_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

LabOptions lab_options(const ShootoutOptions& o) {
  auto lo = make_lab_options(o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, o.attach_timeout_s);
  lo.collectors.perf_events = o.perf_events;
  lo.cooldown = std::chrono::milliseconds(static_cast<long>(o.cooldown_s * 1000));
  return lo;
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
  // Before anything is written: the lab replays what a crashed run left and refuses a
  // scheduler it did not start.
  Lab lab(lab_options(previous ? previous->plan.at("options").get<ShootoutOptions>() : options),
          guard.flag());
  for (const auto& n : lab.notes()) std::cerr << n << "\n";
  prepare_out_dir(dir);
  store::ResultsDb db = open_results_db(db_path);

  const Setup setup = previous ? resumed_setup(previous->plan) : fresh_setup(options, lab);
  const std::int64_t run_id = previous ? previous->id : create_run(db, "shootout", setup.plan(), setup.seed);
  db.set_run_status(run_id, "running");
  if (!setup.options.quiet) {
    std::cerr << fmt::format("scxlab shootout: {} scheduler(s) x {} workload(s), {} warm-up + {} repetition(s), seed {}\n"
                             "results: {}\n",
                             setup.configs.size(), setup.entries.size(), setup.options.warmup,
                             setup.options.reps, setup.seed, dir);
  }

  Progress progress(0, setup.options.quiet);
  lab.on_wait([&progress](const std::string& what, int seconds) { progress.waiting(what, seconds); });
  RoundLoop loop(setup, lab, db, run_id, guard, progress);
  const bool complete = loop.run();
  progress.finish();
  lab.stop_scheduler();

  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  write_outputs(db, run_id, dir, setup.analysis_request(), setup.options.json, loop.notes());
  if (!complete) {
    std::cerr << "interrupted: every finished trial is saved in " << dir << "/" << kDbName << "\n"
              << resume_hint(dir) << "\n";
    return kExitInterrupted;
  }
  return kExitOk;
}

}  // namespace scxlab::harness
