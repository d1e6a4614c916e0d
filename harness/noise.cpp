#include "harness/noise.hpp"

#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.hpp"
#include "harness/entries.hpp"
#include "harness/errors.hpp"
#include "harness/gated.hpp"
#include "harness/lab.hpp"
#include "harness/privileges.hpp"
#include "harness/progress.hpp"
#include "harness/results.hpp"
#include "harness/rounds.hpp"
#include "harness/schedulers_choice.hpp"
#include "harness/shootout.hpp"
#include "harness/signals.hpp"
#include "reports/format.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;
namespace {

constexpr int kPowerRepetitions[] = {5, 10, 20};

std::vector<schedulers::Config> aa_pair(const NoiseOptions& o, const std::vector<schedulers::Manifest>& manifests) {
  const auto spec = o.scheduler.empty() ? schedulers::default_scheduler_name() : o.scheduler;
  auto a = config_from_spec(spec, manifests), b = a;
  a.label = "A";
  b.label = "B";
  return {a, b};
}

const stats::MetricResult* metric_of(const stats::WorkloadAnalysis& w, const std::string& side, const std::string& name) {
  for (const auto& s : w.schedulers) {
    if (s.scheduler != side) continue;
    for (const auto& m : s.metrics) {
      if (m.metric == name) return &m;
    }
  }
  return nullptr;
}

nlohmann::json number_or_null(std::optional<double> v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// Per gated metric: the CVs, the A/A verdict and the detectable changes.
nlohmann::json noise_rows(const stats::RunAnalysis& analysis, const stats::GateVerdict& verdict, const HeadlineMap& gated,
                          double threshold) {
  auto rows = nlohmann::json::array();
  const auto family = gated_count(gated);
  for (const auto& w : analysis.workloads) {
    const auto it = gated.find(w.workload);
    if (it == gated.end()) continue;
    for (const auto& name : it->second) {
      const auto* a = metric_of(w, "A", name);
      const auto* b = metric_of(w, "B", name);
      if (!a || !b) continue;
      const double cv = std::sqrt((a->summary.cv * a->summary.cv + b->summary.cv * b->summary.cv) / 2);
      nlohmann::json detectable;
      for (const int n : kPowerRepetitions) {
        detectable[std::to_string(n)] = number_or_null(stats::detectable_change(cv, n, threshold, family));
      }
      std::string aa = "not compared";
      for (const auto& v : verdict.verdicts) {
        if (v.workload == w.workload && v.metric == name) aa = std::string(to_string(v.verdict));
      }
      rows.push_back({{"workload", w.workload}, {"metric", name}, {"unit", a->unit}, {"cv_a", a->summary.cv},
                      {"cv_b", b->summary.cv}, {"cv", cv}, {"n", std::min(a->summary.n, b->summary.n)},
                      {"aa_verdict", aa}, {"detectable_change", detectable}});
    }
  }
  return rows;
}

std::string detectable_text(const nlohmann::json& v) {
  return v.is_null() ? "cannot" : reports::format_percent(v.get<double>());
}

std::string render_noise(const nlohmann::json& doc) {
  std::string out = fmt::format("\n{:<12} {:<28} {:>6} {:>6} {:>6}  {:<22} smallest change the gate calls (95% power)\n"
                                "{:<86} {:>8} {:>8} {:>8}\n",
                                "workload", "metric", "CV A", "CV B", "CV", "A/A verdict", "", "5 reps", "10 reps",
                                "20 reps");
  for (const auto& r : doc.at("metrics")) {
    out += fmt::format("{:<12} {:<28} {:>6} {:>6} {:>6}  {:<22} {:>8} {:>8} {:>8}\n", r["workload"].get<std::string>(),
                       r["metric"].get<std::string>(), reports::format_percent(r["cv_a"].get<double>()),
                       reports::format_percent(r["cv_b"].get<double>()), reports::format_percent(r["cv"].get<double>()),
                       r["aa_verdict"].get<std::string>(), detectable_text(r["detectable_change"]["5"]),
                       detectable_text(r["detectable_change"]["10"]), detectable_text(r["detectable_change"]["20"]));
  }
  return out + fmt::format(
                   "\n{} A/A pairs of {} over {} interleaved repetitions; threshold {}. 'cannot': that few repetitions "
                   "cannot reach significance over {} gated metrics. Detectable changes are a normal approximation of "
                   "the gate's rule (stats/verdict.hpp). Trust the gate for changes above the 10-20 repetition "
                   "columns; an A/A verdict other than 'no significant change' means this runner is noisier than the "
                   "statistics assume.\n",
                   doc.at("metrics").size(), doc.at("scheduler").get<std::string>(), doc.at("repetitions").get<int>(),
                   reports::format_percent(doc.at("threshold").get<double>()), doc.at("gated_metrics").get<std::size_t>());
}

}  // namespace

int noise_command(NoiseOptions o) {
  require_privileges("noise");
  const auto manifests = [&] {
    try {
      return schedulers::load_manifests(o.manifest_dirs);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  }();
  const RoundPlan plan{aa_pair(o, manifests), resolve_entries(o.suite, o.workloads), o.warmup, o.reps, o.reps,
                       std::nullopt, o.seed ? *o.seed : std::random_device{}()};
  const auto gated = gated_metrics(plan.entries, o.metrics);
  const std::string dir = o.out_dir.empty() ? default_out_dir("noise") : o.out_dir;

  InterruptGuard guard;
  Lab lab(make_lab_options(o.manifest_dirs, o.take_over, o.no_bpf, o.trial_timeout_s, std::nullopt), guard.flag());
  for (const auto& n : lab.notes()) std::cerr << n << "\n";
  prepare_out_dir(dir);
  auto db = open_results_db((fs::path(dir) / "results.db").string());
  const auto run_id = create_run(db, "noise",
                                 {{"scheduler", plan.configs[0].scheduler}, {"schedulers", configs_to_json(plan.configs)},
                                  {"entries", entries_to_json(plan.entries)}, {"baseline", "A"}, {"gated", gated},
                                  {"reps", o.reps}, {"threshold", o.threshold}},
                                 plan.seed);
  if (!o.quiet) {
    std::cerr << fmt::format("scxlab noise: {} as A and B, {} workload(s), {} warm-up + {} interleaved repetitions, "
                             "seed {}\nresults: {}\n", plan.configs[0].scheduler, plan.entries.size(), o.warmup, o.reps,
                             plan.seed, dir);
  }
  Progress progress(0, o.quiet);
  RoundLoop loop(plan, lab, db, run_id, guard, progress);
  const bool complete = loop.run();
  progress.finish();
  lab.stop_scheduler();
  db.set_run_status(run_id, complete ? "complete" : "interrupted");
  if (!complete) {
    std::cerr << "interrupted: the finished trials are in " << dir << "/results.db\n";
    return kExitInterrupted;
  }
  const AnalysisRequest request{"A", o.threshold, gated, plan.seed, true};
  const auto trials = db.trials(run_id);
  const auto analysis = analyse_trials(trials, request);
  const auto verdict = stats::gate_verdict(analysis, {"B"}, trial_outcomes(trials));
  const nlohmann::json doc = {{"scheduler", plan.configs[0].scheduler}, {"repetitions", o.reps},
                              {"threshold", o.threshold}, {"gated_metrics", gated_count(gated)},
                              {"aa_outcome", to_string(verdict.outcome)},
                              {"metrics", noise_rows(analysis, verdict, gated, o.threshold)}};
  const reports::ReportInput input{*db.run(run_id), trials, analysis, {}};
  write_run_files(db, run_id, dir, input);
  base::write_file_atomically((fs::path(dir) / "noise.json").string(), doc.dump(2) + "\n");
  if (o.json) std::cout << doc.dump(2) << "\n";
  else std::cout << render_noise(doc);
  std::cerr << fmt::format("wrote {}/results.db, results.json, results.csv, report.html, noise.json\n", dir);
  return kExitOk;
}

}  // namespace scxlab::harness
