// A gate's answer from a run's analysis: for every gated metric (a workload's headline
// metric) of every candidate against the baseline, a verdict, and one outcome for the gate.
// Pure: the same analysis gives the same verdicts, so the rules are tested on constructed
// inputs and the simulations of tests/stats/gate_simulation_test.cpp run them as the gate does.
//
// The statistics are analyse()'s with holm_across_workloads (one Holm family per candidate
// over every gated metric of the suite: the gate asks one question, "is anything worse?") and
// min_effect = the gate's threshold. Per metric:
//   regression            the call is "worse": significant after Holm and the whole interval
//                         of the change lies beyond the threshold, on the bad side
//   improvement           the call is "better"
//   no significant change the call is "no significant difference" (an effect of 5 x the
//                         threshold or more is ruled out, none beyond the threshold shown)
//   inconclusive          the call is "inconclusive" (more repetitions would tell), or the
//                         metric could not be compared: the candidate has no values for it
// and, per workload, the candidate's trials: when some did not end ok (ejected, failed, timed
// out) while the baseline's all did, that is a regression of its own ("completed trials"); when
// both sides lost trials, it is inconclusive (the machine, not the change).
// Outcome: any regression -> regression; else any inconclusive, or no verdict at all ->
// inconclusive; else pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/analysis.hpp"

namespace scxlab::stats {

enum class Verdict { regression, improvement, no_change, inconclusive };
std::string_view to_string(Verdict v);  // "regression", "improvement", "no significant change", "inconclusive"

// The pseudo-metric that carries a verdict on trials that did not end ok.
inline constexpr std::string_view kCompletedTrials = "completed trials";

struct MetricVerdict {
  std::string workload, scheduler, metric, unit;
  Direction direction = Direction::informational;
  Verdict verdict = Verdict::inconclusive;
  bool more_data_helps = false;  // inconclusive for want of repetitions (not a missing metric)
  double baseline_median = 0, candidate_median = 0;
  std::size_t baseline_n = 0, candidate_n = 0;
  // The change, candidate / baseline - 1, and its interval; NaN where there is no ratio (a
  // median not positive, or nothing compared).
  double change = 0, change_low = 0, change_high = 0;
  double p_adjusted = 1;  // Holm over the candidate's gated metrics
  std::string reason;     // why, with the numbers, in a sentence
};

enum class Outcome { pass, regression, inconclusive };
std::string_view to_string(Outcome o);  // "pass", "regression", "inconclusive"

// How the measured trials of one scheduler on one workload ended.
struct TrialOutcomes {
  std::string workload, scheduler;
  int ok = 0;
  int not_ok = 0;          // ejected, failed, timed out
  std::string last_reason;  // of the last trial that did not end ok
};

struct GateVerdict {
  Outcome outcome = Outcome::pass;
  std::vector<MetricVerdict> verdicts;  // workloads and metrics in the analysis's order
};

// `candidates`: the labels gated against analysis.baseline. `trials`: as the run ended (the
// schedulers and workloads without an entry had every trial end ok).
GateVerdict gate_verdict(const RunAnalysis& analysis, const std::vector<std::string>& candidates,
                         const std::vector<TrialOutcomes>& trials);

// Another interleaved round could change the answer: a gated metric is inconclusive for want
// of repetitions, or its "no significant change" measured a change beyond `threshold` on the
// bad side (a real regression not yet significant: stopping there missed one 10% regression in
// ten at CV 3%, see tests/stats/gate_simulation_test.cpp). Except that a regression already
// beyond doubt within the first 10 `repetitions` (every regression at Holm-adjusted p <= 0.0005)
// ends the gate: the other metrics' verdicts cannot turn a fail into a pass.
bool more_repetitions_wanted(const GateVerdict& v, double threshold, int repetitions);

// The analysis a gate runs: alpha 0.05, min_effect = threshold, one Holm family per candidate
// over every workload.
AnalysisOptions gate_analysis_options(const std::string& baseline, double threshold, std::uint64_t seed);

// The repetitions a gate starts with: those asked for, but at least the fewest with which
// `family_size` metrics can reach significance at all (min_repetitions_for_significance).
int gate_start_repetitions(int requested, std::size_t family_size);

// The smallest change (a fraction: 0.07 = 7%) the gate calls with 95% power at `repetitions`
// a side, for a metric whose run-to-run coefficient of variation is `cv`: the interval's lower
// end must clear the threshold, so the change must exceed it by (z(0.975) + z(0.95)) standard
// errors of the log ratio of medians (1.2533 cv sqrt(2 / n): the median's efficiency on normal
// data). Empty when `repetitions` cannot reach significance over `family_size` metrics at all.
// An approximation: tests/stats/gate_simulation_test.cpp checks it against the gate itself.
std::optional<double> detectable_change(double cv, int repetitions, double threshold, std::size_t family_size);

}  // namespace scxlab::stats
