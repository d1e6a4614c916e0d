// From the store to answers: open the results DB with user-facing errors, record runs, run
// the statistics over committed trials, and write the table and the JSON/CSV/HTML files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/model.hpp"
#include "stats/analysis.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

struct Entry;
using HeadlineMap = std::map<std::string, std::set<std::string>>;  // workload label -> metrics

store::ResultsDb open_results_db(const std::string& path);  // StoreError -> UsageError
std::optional<store::RunInfo> latest_run(const store::ResultsDb& db, const std::string& kind);
std::int64_t create_run(store::ResultsDb& db, const std::string& kind, const nlohmann::json& plan,
                        std::uint64_t seed);

HeadlineMap headline_map(const std::vector<Entry>& entries);

struct AnalysisRequest {
  std::string baseline;
  double min_effect = 0.02;
  HeadlineMap headlines;
  std::uint64_t seed = 1;
  bool holm_across_workloads = false;  // a gate: one Holm family over every workload
};

stats::RunAnalysis analyse_trials(std::span<const store::TrialRecord> trials, const AnalysisRequest& request);
stats::RunAnalysis analyse_run(const store::ResultsDb& db, std::int64_t run_id, const AnalysisRequest& request);

// Every headline metric of every scheduler and workload has an interval within +-target.
bool all_headlines_precise(const stats::RunAnalysis& analysis, double target);

// results.json, results.csv (the run's trials) and report.html (`input`) in `dir`.
void write_run_files(const store::ResultsDb& db, std::int64_t run_id, const std::string& dir,
                     const reports::ReportInput& input);
// The terminal table on stdout, or the analysis as JSON with `json_extra`'s keys.
void print_analysis(const reports::ReportInput& input, bool json_to_stdout, const nlohmann::json& json_extra = nullptr);

// The terminal table (or JSON on stdout), results.json, results.csv and report.html;
// `json_extra`'s keys join the JSON on stdout.
void write_outputs(const store::ResultsDb& db, std::int64_t run_id, const std::string& dir,
                   const AnalysisRequest& request, bool json_to_stdout,
                   const std::vector<std::string>& notes, const nlohmann::json& json_extra = nullptr);

}  // namespace scxlab::harness
