#include "harness/results.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <unistd.h>

#include "harness/errors.hpp"
#include "harness/host.hpp"
#include "harness/lab.hpp"
#include "reports/report.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;

store::ResultsDb open_results_db(const std::string& path) {
  try {
    return store::ResultsDb(path);
  } catch (const store::StoreError& e) {
    throw UsageError(e.what());
  }
}

std::optional<store::RunInfo> latest_run(const store::ResultsDb& db, const std::string& kind) {
  std::optional<store::RunInfo> found;
  for (auto& r : db.runs()) {
    if (r.kind == kind) found = r;
  }
  if (!found) throw UsageError(fmt::format("{} holds no {} run to resume", db.path(), kind));
  return found;
}

std::int64_t create_run(store::ResultsDb& db, const std::string& kind, const nlohmann::json& plan,
                        std::uint64_t seed) {
  store::RunInfo run;
  run.kind = kind;
  run.created_utc = utc_now_iso8601();
  run.scxlab_version = scxlab_version();
  run.host = host_fingerprint();
  run.plan = plan;
  run.seed = seed;
  run.status = "running";
  return db.create_run(run);
}

HeadlineMap headline_map(const std::vector<Entry>& entries) {
  HeadlineMap map;
  for (const auto& e : entries) map[e.label] = e.headline;
  return map;
}

stats::RunAnalysis analyse_trials(std::span<const store::TrialRecord> trials, const AnalysisRequest& request) {
  const auto observations = reports::observations_from_trials(trials, request.headlines);
  stats::AnalysisOptions options;
  options.baseline = request.baseline;
  options.min_effect = request.min_effect;
  options.seed = request.seed;
  options.holm_across_workloads = request.holm_across_workloads;
  return stats::analyse(observations, options);
}

stats::RunAnalysis analyse_run(const store::ResultsDb& db, std::int64_t run_id, const AnalysisRequest& request) {
  return analyse_trials(db.trials(run_id), request);
}

bool all_headlines_precise(const stats::RunAnalysis& analysis, double target) {
  for (const auto& w : analysis.workloads) {
    for (const auto& s : w.schedulers) {
      for (const auto& m : s.metrics) {
        if (m.headline && !stats::precise_enough(m.summary, target)) return false;
      }
    }
  }
  return true;
}

void write_run_files(const store::ResultsDb& db, std::int64_t run_id, const std::string& dir,
                     const reports::ReportInput& input) {
  const fs::path out(dir);
  store::export_json(db, run_id, (out / "results.json").string());
  store::export_csv(db, run_id, (out / "results.csv").string());
  reports::write_html_report((out / "report.html").string(), input);
}

void print_analysis(const reports::ReportInput& input, bool json_to_stdout, const nlohmann::json& json_extra) {
  if (json_to_stdout) {
    auto j = reports::analysis_to_json(input.analysis);
    if (json_extra.is_object()) j.update(json_extra);
    std::cout << j.dump(2) << "\n";
  } else {
    reports::TerminalOptions options;
    options.color = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    std::cout << reports::render_terminal(input, options);
  }
}

void write_outputs(const store::ResultsDb& db, std::int64_t run_id, const std::string& dir,
                   const AnalysisRequest& request, bool json_to_stdout,
                   const std::vector<std::string>& notes, const nlohmann::json& json_extra) {
  const reports::ReportInput input{*db.run(run_id), db.trials(run_id), analyse_run(db, run_id, request), notes};
  write_run_files(db, run_id, dir, input);
  print_analysis(input, json_to_stdout, json_extra);
  std::cerr << fmt::format("wrote {}/results.db, results.json, results.csv, report.html\n", dir);
}

}  // namespace scxlab::harness
