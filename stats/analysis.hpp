// Turning repetitions into answers: per-metric summaries with bootstrap intervals, each
// scheduler against the baseline (ratio of medians, Mann-Whitney U, Holm over a workload's
// headline metrics and, separately, over its other directional metrics, or over every
// workload's: AnalysisOptions::holm_across_workloads), a call only when significant AND beyond
// a minimum effect, and rankings.
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
  std::size_t n = 0;                           // finite values (others are ignored)
  double median = 0, ci_low = 0, ci_high = 0;  // percentile bootstrap interval of the median
  double mean = 0, sd = 0, cv = 0;             // cv = sd / |mean| (0 when the mean is 0)
  double min = 0, max = 0;
};

// The call for one directional metric of a candidate against the baseline. Inputs: the
// Holm-adjusted Mann-Whitney p over the family of the metric for this candidate (the
// workload's headline metrics, or its other directional metrics), the bootstrap interval
// [lo, hi] of the ratio of medians, the minimum effect m (default 2%) and kLargeEffectFactor K (5, so 10% by default). Rules, in order:
//   better / worse  p_adjusted < alpha AND the whole interval lies beyond the minimum effect
//                   (lo > 1 + m or hi < 1 - m): a real difference, and bigger than m. The
//                   direction decides which (lower_is_better: ratio < 1 is better).
//   inconclusive: more repetitions needed, when any of
//     a. too few repetitions: even complete separation could not reach significance,
//        2 / C(n1 + n2, n1) x family size >= alpha (e.g. 3 repetitions against 3);
//     b. too imprecise: the interval still reaches an effect of K x m or more (lo < 1 - K m
//        or hi > 1 + K m), so a large regression or gain is plausible;
//     c. the interval lies wholly beyond m but the corrected test is not significant;
//     d. strong evidence of a difference (p_adjusted < alpha / kStrongEvidenceDivisor: 0.005
//        by default, the "strong evidence" level of Benjamin et al. 2018) whose estimate
//        exceeds m, while the interval still reaches inside m: a real difference that
//        probably matters but is not yet shown to.
//   no significant difference  otherwise: no difference beyond m was shown, and the data rule
//     out effects of K x m or more. A p between alpha / 10 and alpha with the interval
//     reaching inside m lands here: that is what about 4% of identical pairs look like.
// Comparison::reason says which rule applied, with the numbers, in a sentence for the user.
// Where a ratio is undefined or misleading it is not used: the baseline's median is 0 or
// negative, a sample holds negative values (a ratio of mixed signs), or the metric is a count
// ("count" unit) whose baseline median is under kSmallCount (1 -> 2 would read +100%). Then
// ratio and its interval are NaN, Comparison::no_ratio says why, and the call rests on the test
// and the interval of the difference of medians: better/worse when p_adjusted < alpha and that
// interval excludes 0, by its sign; rule a still applies; a significant test whose interval
// reaches 0 is inconclusive; otherwise no significant difference (no minimum effect applies:
// there is no scale to measure it against).
// Measured (one metric, normal noise, default options; tests/stats/analysis_test.cpp: the quick
// tests assert the first two on 1000 simulations, the [slow] "operating characteristics" test
// prints all of these):
//   A/A, CV 3%, 10 v 10 reps   no difference 99.5% (10000 sims: 7 false calls, 45 inconclusive)
//   +10%, CV 3%, 10 v 10       called, right direction, 99.65% (10000 sims)
//   +5%, CV 3%, 10 v 10        called 42%, no difference 36%, inconclusive 22%
//   +3%, CV 3%, 30 v 30        called 15%, no difference 26%, inconclusive 59%
//   A/A, CV 3%, 5 v 5          no difference 95%, inconclusive 5%
//   A/A, CV 5% / 10%, 10 v 10  inconclusive 9% / 87% (the interval reaches 10%)
// The gray zone (+3..5%) is the resolution limit of 10 repetitions at CV 3% (the ratio's
// standard error is ~1.7%): any rule that keeps A/A at 99% "no difference" must say it for
// estimates under ~4.4%. Rules c and d turn the strongest of those into "inconclusive".
enum class Call { better, worse, no_difference, inconclusive };
std::string_view to_string(Call c);  // "better", "worse", "no significant difference",
                                     // "inconclusive: more repetitions needed"
inline constexpr double kLargeEffectFactor = 5;
inline constexpr double kStrongEvidenceDivisor = 10;
inline constexpr double kSmallCount = 10;

struct Comparison {
  double ratio = 1;                    // candidate median / baseline median (NaN: see above)
  double ratio_ci_low = 1, ratio_ci_high = 1;
  double p_value = 1;                  // two-sided Mann-Whitney U
  double p_adjusted = 1;               // Holm over the family
  Call call = Call::no_difference;
  std::string reason;                  // why this call, e.g. "the interval -4.1% to +12.3%
                                       // still allows a difference of 10% or more"
  // candidate median - baseline median, with its bootstrap interval (always computed)
  double difference = 0, difference_ci_low = 0, difference_ci_high = 0;
  std::string no_ratio;                // why the ratio is not used ("" when it is), e.g.
                                       // "the baseline's median is 0"
  std::size_t hosts = 0;               // hosts it was blocked by (0: not blocked, one sample each)
};

struct AnalysisOptions {
  std::string baseline;           // scheduler label compared against; "" = first seen
  double alpha = 0.05;
  double min_effect = 0.02;       // 2%: smaller differences are never called; "no difference"
                                  // must rule out kLargeEffectFactor x this (0: never shown)
  double level = 0.95;            // interval level
  int resamples = 2000;
  double cv_warning = 0.05;       // warn about metrics noisier than this
  std::uint64_t seed = 1;         // bootstrap resampling is deterministic for a seed
  // Holm families per candidate: false (a shootout) takes each workload's headline metrics as
  // one family and its other directional metrics as another; true (a gate, which asks one
  // question of the whole suite: "is anything worse?") joins each over every workload, so the
  // chance of any false call stays at alpha however many workloads the suite has.
  bool holm_across_workloads = false;
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
  // Where it was measured (a fleet's host; "" = not known). When two or more hosts measured
  // both the baseline and the candidate, their comparison is blocked by host: van Elteren's
  // test instead of Mann-Whitney's, the per-host ratios (differences) of medians averaged, a
  // bootstrap resampling within each host (stats/inference.hpp). Hosts that measured one side
  // only are then left out of it.
  std::string stratum;
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
  int rank = 0;        // 1 = best on this workload's headline metrics; 0 = not ranked (no
                       // baseline on this workload, or no headline ratio to score)
  double score = 1;    // geometric mean of direction-adjusted headline ratios (>1 better)
};

// The directional metrics of one scheduler on one workload whose CV exceeds the warning
// threshold: the data behind the one-line warning, for a full listing.
struct NoisyMetrics {
  struct Metric {
    std::string metric;
    double cv = 0;
    bool headline = false;
  };
  std::string scheduler;
  double threshold = 0;          // AnalysisOptions::cv_warning
  std::vector<Metric> metrics;   // noisiest first
  std::string warning;           // its line in WorkloadAnalysis::warnings, for a renderer
                                 // that words the noisy metrics of a workload its own way
};

struct WorkloadAnalysis {
  std::string workload;
  std::vector<SchedulerResult> schedulers;
  // One line per scheduler however many metrics are noisy: "messaging / eevdf: 22 metrics
  // vary a lot between repetitions (CV over 5%), worst runq_wait_us.p50 101%; headline
  // time_s 17%: run more repetitions or quiet the machine"
  std::vector<std::string> warnings;
  std::vector<NoisyMetrics> noisy;  // every noisy metric, per scheduler
};

struct RunAnalysis {
  std::string baseline;
  std::vector<WorkloadAnalysis> workloads;
  // scheduler, geometric mean of its scores over the workloads that ranked it; best first
  // (a scheduler ranked nowhere is left out; one ranked on fewer workloads gets a warning)
  std::vector<std::pair<std::string, double>> overall_ranking;
  std::vector<std::string> warnings;
};

// Groups observations by workload, scheduler and metric (first-seen order throughout),
// summarises each group, compares every scheduler with the baseline, ranks and warns.
// Non-finite values are dropped with a warning. Throws std::invalid_argument for options out
// of range (alpha, level not in (0, 1); min_effect < 0; resamples < 100).
RunAnalysis analyse(std::span<const Observation> observations, const AnalysisOptions& options);

// Deterministic for options.seed; non-finite values are ignored.
Summary summarize(std::span<const double> values, const AnalysisOptions& options);

// Adaptive repetitions: is the interval of the median within the target, i.e.
// (ci_high - ci_low) / 2 <= target x |median|? Never with fewer than kMinRepetitionsForInterval
// values, where the percentile interval covers far below its level (n = 3: 75%, n = 4: 88%).
inline constexpr std::size_t kMinRepetitionsForInterval = 5;
bool precise_enough(const Summary& s, double target_relative_halfwidth);

}  // namespace scxlab::stats
