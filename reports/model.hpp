// What a report is made of (the run, its trials, their analysis) and the facts every renderer
// derives from it, computed here once: the analysis input, how trials ended, which metrics
// the host could not give, and the warnings a reader must see.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/analysis.hpp"
#include "store/store.hpp"

namespace scxlab::reports {

using HeadlineMap = std::map<std::string, std::set<std::string>>;  // workload label -> headline metrics

// Whether a trial's metrics feed the statistics: it ended ok and was measured (kind
// "measure" or "validate"; warm-up and tuner trials are not repetitions of the comparison).
bool counts_in_analysis(const store::TrialRecord& t);

// The analysis input, derived in one place: one Observation per metric of every counted
// trial, in trial (seq) order, with the trial's unit and direction; headline when the
// metric is in `headlines[workload]`.
std::vector<stats::Observation> observations_from_trials(std::span<const store::TrialRecord> trials,
                                                         const HeadlineMap& headlines);

struct ReportInput {
  store::RunInfo run;
  std::vector<store::TrialRecord> trials;  // in seq order, as ResultsDb::trials returns them
  stats::RunAnalysis analysis;
  std::vector<std::string> notes{};        // the harness's remarks: time budget, resume, ...
  std::optional<stats::AnalysisOptions> options{};  // alpha and minimum effect, for the method text
  std::string lead_html{};                 // a command's own section shown first (a gate's verdict)
  // Labels that are a baseline beside analysis.baseline: a compare analyses each scheduler's
  // run-B side against its own run-A side, and every run-A side is a baseline.
  std::set<std::string> baselines{};
};

// Whether `label` is compared against rather than compared: analysis.baseline or one of
// input.baselines.
bool is_baseline(const ReportInput& input, const std::string& label);

// How the trials of one workload on one scheduler ended (an interrupted trial that was run
// again on resume is not counted).
struct TrialTally {
  std::string workload, scheduler;
  int total = 0;
  int counted = 0;                                  // in the statistics
  std::map<std::string, int> left_out;              // status -> trials (ok warm-ups are not left out)
  std::map<std::string, std::string> last_reason;   // status -> the last reason given
};
std::vector<TrialTally> tally_trials(std::span<const store::TrialRecord> trials);  // first-seen order

// A metric some trials could not give, and why.
inline constexpr std::string_view kTuningEvaluations = "the tune's evaluations";
struct UnavailableEntry {
  std::string workload, name, reason;
  std::vector<std::string> schedulers;  // where it was missing, first-seen order (a tune's
                                        // evaluations are one entry, kTuningEvaluations)
  int trials = 0;
};
std::vector<UnavailableEntry> unavailable_metrics(std::span<const store::TrialRecord> trials);

// The unavailable metrics grouped by root cause, for a reader: a VM without a hardware PMU is
// one fact, not eleven. The cause is the reason without the metric's own name ("cycles: not
// supported" and "cache-misses: not supported" are one cause); a derived metric ("needs X:
// <X's reason>") joins X's cause. Metrics of a group were missing on the same workloads and
// schedulers (its scope); groups and metrics in first-seen order.
struct UnavailableCause {
  std::string cause;
  std::vector<std::string> metrics;  // the ones the cause took directly
  std::vector<std::string> derived;  // the ones computed from them
  std::vector<std::string> workloads, schedulers;
};
std::vector<UnavailableCause> unavailable_causes(std::span<const UnavailableEntry> entries);

// "cycles, instructions and 2 derived (ipc, cache_misses_pki)"
std::string metrics_text(const UnavailableCause& c);

// Everything a reader must be warned about, most serious first: measured in a VM, trials left
// out of the statistics (ejected, failed, timed out), then the analysis's warnings (a missing
// baseline, ...), then one line per workload with noisy metrics.
std::vector<std::string> warnings(const ReportInput& input);

// The metrics shown as table columns for a workload: its headline metrics in first-seen
// order, or every directional metric when the caller flagged none.
std::vector<std::string> column_metrics(const stats::WorkloadAnalysis& w);

const stats::MetricResult* find_metric(const stats::SchedulerResult& s, const std::string& metric);

// Schedulers of a workload best first (by rank; equal ranks keep the analysis's order; the
// unranked, rank 0, last).
std::vector<const stats::SchedulerResult*> by_rank(const stats::WorkloadAnalysis& w);

// The calls on a scheduler's headline metrics over all workloads: what the overall score,
// a geometric mean of point estimates, does not say by itself.
struct CallCounts {
  int better = 0, worse = 0, no_difference = 0, inconclusive = 0;
};
CallCounts headline_calls(const stats::RunAnalysis& analysis, const std::string& scheduler);

// For `scxlab ... --json` and the data embedded in the HTML report.
nlohmann::json analysis_to_json(const stats::RunAnalysis& analysis);

}  // namespace scxlab::reports
