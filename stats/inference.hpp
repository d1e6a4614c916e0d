// The statistical building blocks behind stats/analysis.hpp, public for the tuner, the
// harness and tests. Values must be finite (summarize() and analyse() filter them first).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace scxlab::stats {

double median(std::span<const double> xs);
// Linear interpolation between order statistics (R type 7, NumPy's default); q in [0, 1].
double quantile(std::span<const double> xs, double q);
double quantile_sorted(std::span<const double> sorted, double q);  // the same, xs sorted ascending
// Where type 7 reads: between order statistics index and index + 1 (0-based), at fraction.
struct Type7Position {
  std::size_t index = 0;
  double fraction = 0;
};
Type7Position type7_position(std::size_t n, double q);  // n >= 1
double mean(std::span<const double> xs);
double sample_sd(std::span<const double> xs);  // n - 1 in the denominator; 0 when n < 2

// A small, fast, portable generator (xoshiro256**), seeded by splitmix64: bootstrap results
// are identical for a seed on every platform and standard library (std::mt19937 is too, but
// std::uniform_int_distribution is not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();
  std::size_t below(std::size_t n);  // uniform in [0, n)
  double uniform();                  // [0, 1)

 private:
  std::uint64_t s_[4];
};

struct Interval {
  double low = 0, high = 0;
};

// Percentile bootstrap interval of the median.
// Why percentile and not BCa: the median's bootstrap distribution sits on a few order
// statistics for small n, so BCa's bias correction (share of resample medians below the
// sample median) jumps with how ties at that atom are counted, and its jackknife acceleration
// is degenerate for the median (leave-one-out medians take two values). The percentile
// interval is transformation-respecting and stable. Its coverage, measured on normal and
// log-normal data (4000 simulations each, 2000 resamples): 0.93-0.945 at n = 5, 6, 8, 10, 15,
// 20, 30; but 0.88 at n = 4 and n = 7 (at n = 7 the interval is exactly [x(2), x(6)], which
// covers 87.5%) and 0.75 at n = 3. tests/stats/inference_test.cpp checks n = 10 and 30.
Interval bootstrap_median_interval(std::span<const double> xs, int resamples, double level, Rng& rng);

// Percentile bootstrap interval of median(candidate) / median(baseline), resampling both
// samples independently (repetitions of two schedulers are not paired). Resamples whose
// baseline median is 0 are skipped; [1, 1] when none is left.
Interval bootstrap_ratio_interval(std::span<const double> baseline, std::span<const double> candidate,
                                  int resamples, double level, Rng& rng);

// Percentile bootstrap interval of median(candidate) - median(baseline), resampling both
// samples independently: the comparison where a ratio means nothing (a baseline of 0, values
// of mixed sign). [0, 0] when a sample is empty.
Interval bootstrap_difference_interval(std::span<const double> baseline, std::span<const double> candidate,
                                       int resamples, double level, Rng& rng);

// Two-sided Mann-Whitney U test p-value (SciPy's mannwhitneyu, two-sided, with the method
// chosen as follows).
// Switch-over rule: the exact null distribution of U when there are no ties (within or
// across the samples) and both samples have at most 25 values (C(50, 25) ~ 1.3e14 arrangements
// still counted exactly in doubles, in ~0.2 ms); otherwise the normal approximation with the
// tie correction of the variance and a continuity correction of 0.5.
// SciPy's "auto" goes exact only when a sample has at most 8 values; we stay exact longer
// because the normal tail is off by an order of magnitude at p ~ 1e-5 for n = 10 (what Holm
// needs over a family of metrics).
double mann_whitney_p(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value the test can give for these sample sizes, 2 / C(n1+n2, n1)
// (every value of one sample below every value of the other, no ties).
double mann_whitney_min_p(std::size_t n1, std::size_t n2);

// The fewest repetitions per sample (equal sizes) with which the smallest p-value, times the
// Holm family size, is below alpha: fewer can never give a significant result. For alpha 0.05:
// 4 for one metric, 5 for 2-6 metrics, 6 for 7-23, 7 for 24-85.
std::size_t min_repetitions_for_significance(double alpha, std::size_t family_size);

// Two-sided p-value of Welch's t-test (unequal variances, Welch-Satterthwaite degrees of
// freedom), as SciPy's ttest_ind(equal_var=False). Each sample needs 2 values (else 1). Both
// samples constant: 0 when their means differ, else 1.
double welch_t_p(std::span<const double> a, std::span<const double> b);

// Comparisons blocked by host. On a fleet each round runs on one host, so every host measured
// both sides: a difference between hosts must be neither read as a difference between the
// schedulers nor add to their noise. A block is one host's values of each side.
struct Block {
  std::vector<double> baseline, candidate;
};

// Two-sided p-value of van Elteren's stratified rank-sum test (van Elteren 1960; SAS's
// CMH "row mean scores differ" with modified ridit scores): each block's Wilcoxon rank sum
// weighted by 1 / (its size + 1), mid-ranks for ties with the tie correction of each block's
// variance, normal approximation without continuity correction. One block gives the normal
// approximation of Mann-Whitney without continuity correction. Blocks missing a side add
// nothing; 1 when none is left or the variance is 0 (everything tied).
double van_elteren_p(std::span<const Block> blocks);

// The blocked effect: the mean over blocks of median(candidate) / median(baseline) (or
// median(candidate) - median(baseline)), each block weighted by n_b n_c / (n_b + n_c), the
// inverse of the variance of its contrast. Blocks missing a side are left out. The ratio is
// nullopt when a block's baseline median is 0 (no ratio) or no block has both sides.
std::optional<double> blocked_ratio(std::span<const Block> blocks);
std::optional<double> blocked_difference(std::span<const Block> blocks);

// Percentile bootstrap intervals of those, resampling each side within each block (the
// stratified bootstrap: each host keeps its share of the values). Resamples where the ratio is
// undefined are skipped; [1, 1] and [0, 0] when nothing is left.
Interval bootstrap_blocked_ratio_interval(std::span<const Block> blocks, int resamples, double level, Rng& rng);
Interval bootstrap_blocked_difference_interval(std::span<const Block> blocks, int resamples, double level, Rng& rng);

// Holm-Bonferroni adjusted p-values, in the input order (monotone, capped at 1).
std::vector<double> holm_adjust(std::span<const double> p);

}  // namespace scxlab::stats
