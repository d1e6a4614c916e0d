// The statistical tests behind stats/analysis.hpp, public for the tuner and for tests.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace scxlab::stats {

double median(std::span<const double> xs);
// Linear interpolation between order statistics (R type 7); q in [0, 1].
double quantile(std::span<const double> xs, double q);
double mean(std::span<const double> xs);
double sample_sd(std::span<const double> xs);

// A small, fast, portable generator (xoshiro256**), seeded by splitmix64: bootstrap results
// are identical for a seed on every platform and standard library.
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

// Percentile bootstrap interval of the median. The percentile method (not BCa) because the
// median's bootstrap distribution is discrete for small n, where BCa's acceleration and
// bias estimates are themselves unstable; its coverage is checked in tests/stats.
Interval bootstrap_median_interval(std::span<const double> xs, int resamples, double level, Rng& rng);

// Percentile bootstrap interval of median(candidate) / median(baseline), resampling both
// samples independently.
Interval bootstrap_ratio_interval(std::span<const double> baseline, std::span<const double> candidate,
                                  int resamples, double level, Rng& rng);

// Two-sided Mann-Whitney U test p-value. Exact (enumerating the null distribution of U) when
// there are no ties and both samples have at most 25 values; otherwise the normal
// approximation with tie correction and continuity correction.
double mann_whitney_p(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value the test can give for these sample sizes (all of one sample
// below all of the other): below alpha / m or the test can never call a difference.
double mann_whitney_min_p(std::size_t n1, std::size_t n2);

// Holm-Bonferroni adjusted p-values, in the input order.
std::vector<double> holm_adjust(std::span<const double> p);

}  // namespace scxlab::stats
