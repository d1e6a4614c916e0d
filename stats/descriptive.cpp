#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/statistics/univariate_statistics.hpp>

#include "stats/inference.hpp"

namespace scxlab::stats {

// Boost.Math has mean, variance and the median but no general quantile: type 7 is written here.
Type7Position type7_position(std::size_t n, double q) {
  const double h = (static_cast<double>(n) - 1) * std::clamp(q, 0.0, 1.0);
  const auto index = std::min(static_cast<std::size_t>(std::floor(h)), n - 1);
  return {index, index + 1 < n ? h - static_cast<double>(index) : 0.0};
}

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0;
  const auto [index, fraction] = type7_position(sorted.size(), q);
  if (fraction == 0) return sorted[index];
  return sorted[index] + fraction * (sorted[index + 1] - sorted[index]);
}

double quantile(std::span<const double> xs, double q) {
  std::vector<double> v(xs.begin(), xs.end());
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

double median(std::span<const double> xs) {
  if (xs.empty()) return 0;
  std::vector<double> v(xs.begin(), xs.end());
  return boost::math::statistics::median(v);
}

double mean(std::span<const double> xs) {
  if (xs.empty()) return 0;
  return boost::math::statistics::mean(xs.begin(), xs.end());
}

double sample_sd(std::span<const double> xs) {
  if (xs.size() < 2) return 0;
  return std::sqrt(boost::math::statistics::sample_variance(xs.begin(), xs.end()));
}

}  // namespace scxlab::stats
