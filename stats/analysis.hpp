// Turning repetitions into answers: per-metric summaries with bootstrap intervals, each
// scheduler against the baseline (ratio of medians, Mann-Whitney U, Holm over a workload's
// metrics), a call only when significant AND beyond a minimum effect, and rankings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stats/metric.hpp"

namespace scxlab::stats {

struct Summary {
  std::size_t n = 0;
  double median = 0, ci_low = 0, ci_high = 0;  // bootstrap interval of the median
  double mean = 0, sd = 0, cv = 0;             // cv = sd / |mean|
  double min = 0, max = 0;
};

// The call for one metric of a candidate against the baseline (Holm-adjusted p over the
// workload's directional metrics, interval of the ratio of medians):
//   better / worse   p_adjusted < alpha AND the whole interval lies beyond the minimum effect
//                    (confident the difference exceeds it, e.g. 2%);
//   no difference    significant but not shown to exceed the minimum effect; or not
//                    significant although the test could have reached significance at these
//                    sample sizes and the interval excludes effects of 5x the minimum effect;
//   inconclusive     not significant and either the sample is too small for the test to ever
//                    reach significance (2/C(n1+n2, n1) x family size >= alpha) or the
//                    interval still allows an effect of 5x the minimum: run more repetitions.
// Measured (tests/stats/analysis_test.cpp): A/A at CV 3% with 10 repetitions gives "no
// difference" in 1000/1000 simulations; a 10% shift is called in >= 993/1000.
enum class Call { better, worse, no_difference, inconclusive };
std::string_view to_string(Call c);  // "better", "worse", "no significant difference",
                                     // "inconclusive: more repetitions needed"

struct Comparison {
  double ratio = 1;                    // candidate median / baseline median
  double ratio_ci_low = 1, ratio_ci_high = 1;
  double p_value = 1;                  // two-sided Mann-Whitney U
  double p_adjusted = 1;               // Holm over the family
  Call call = Call::no_difference;
};

struct AnalysisOptions {
  std::string baseline;           // scheduler label compared against; "" = first seen
  double alpha = 0.05;
  double min_effect = 0.02;       // 2%: smaller differences are never called
  double level = 0.95;            // interval level
  int resamples = 2000;
  double cv_warning = 0.05;       // warn about metrics noisier than this
  std::uint64_t seed = 1;         // bootstrap resampling is deterministic for a seed
};

// One measured value of one repetition.
struct Observation {
  std::string workload;   // suite entry label
  std::string scheduler;  // configuration label
  std::string metric;
  std::string unit;
  Direction direction = Direction::informational;
  bool headline = false;
  double value = 0;
};

struct MetricResult {
  std::string metric, unit;
  Direction direction = Direction::informational;
  bool headline = false;
  Summary summary;
  std::optional<Comparison> vs_baseline;  // absent for the baseline itself
};

struct SchedulerResult {
  std::string scheduler;
  std::vector<MetricResult> metrics;
  int rank = 0;        // 1 = best on this workload's headline metrics
  double score = 1;    // geometric mean of direction-adjusted headline ratios (>1 better)
};

struct WorkloadAnalysis {
  std::string workload;
  std::vector<SchedulerResult> schedulers;
  std::vector<std::string> warnings;  // "scx_lavd: time_s CV 7.1% (noisy)"
};

struct RunAnalysis {
  std::string baseline;
  std::vector<WorkloadAnalysis> workloads;
  std::vector<std::pair<std::string, double>> overall_ranking;  // scheduler, score; best first
  std::vector<std::string> warnings;
};

RunAnalysis analyse(std::span<const Observation> observations, const AnalysisOptions& options);

Summary summarize(std::span<const double> values, const AnalysisOptions& options);

// Adaptive repetitions: is the interval of the median within +-target (relative)?
bool precise_enough(const Summary& s, double target_relative_halfwidth);

}  // namespace scxlab::stats
