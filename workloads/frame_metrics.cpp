#include "workloads/frame_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include "workloads/params.hpp"

namespace scxlab::workloads {
namespace {

constexpr double kStutterFactor = 2.5;

// 1-based nearest rank of fraction p of n items; the epsilon keeps 0.01 * 1000 at 10, not 11.
std::size_t nearest_rank(double fraction, std::size_t n) {
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(n) - 1e-9));
  return std::clamp<std::size_t>(rank, 1, n);
}

std::vector<double> sorted_descending(std::span<const double> v) {
  std::vector<double> out(v.begin(), v.end());
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

double total(std::span<const double> v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

double fps_avg(std::span<const double> ft_ms) {
  const double sum = total(ft_ms);
  return sum > 0 ? static_cast<double>(ft_ms.size()) * 1000.0 / sum : 0.0;
}

double fps_low_time_weighted(std::span<const double> ft_ms, double fraction) {
  if (ft_ms.empty()) return 0.0;
  const auto worst_first = sorted_descending(ft_ms);
  const double target = fraction * total(ft_ms);
  double accumulated = 0;
  for (double ft : worst_first) {
    accumulated += ft;
    if (accumulated >= target) return 1000.0 / ft;
  }
  return 1000.0 / worst_first.back();
}

double fps_low_frame_weighted(std::span<const double> ft_ms, double fraction) {
  if (ft_ms.empty()) return 0.0;
  const auto worst_first = sorted_descending(ft_ms);
  return 1000.0 / worst_first[nearest_rank(fraction, worst_first.size()) - 1];
}

double nearest_rank_percentile(std::span<const double> values, double p) {
  if (values.empty()) return 0.0;
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  return v[nearest_rank(p / 100.0, v.size()) - 1];
}

Stutter stutter(std::span<const double> ft_ms) {
  Stutter s;
  const double sum = total(ft_ms);
  if (ft_ms.empty() || sum <= 0) return s;
  const double threshold = kStutterFactor * sum / static_cast<double>(ft_ms.size());
  double stutter_time = 0;
  for (double ft : ft_ms) {
    if (ft > threshold) {
      ++s.count;
      stutter_time += ft;
    }
  }
  s.time_pct = 100.0 * stutter_time / sum;
  return s;
}

std::vector<Metric> frame_time_metrics(std::span<const double> ft_ms) {
  std::vector<Metric> m;
  const auto lower = Direction::lower_is_better;
  const auto higher = Direction::higher_is_better;
  m.push_back(workload_metric("frame_time_ms.p50", nearest_rank_percentile(ft_ms, 50), "ms", lower));
  m.push_back(workload_metric("frame_time_ms.p99", nearest_rank_percentile(ft_ms, 99), "ms", lower));
  m.push_back(workload_metric("frame_time_ms.p99.9", nearest_rank_percentile(ft_ms, 99.9), "ms", lower));
  m.push_back(workload_metric("frame_time_ms.max", nearest_rank_percentile(ft_ms, 100), "ms", lower));
  m.push_back(workload_metric("fps.avg", fps_avg(ft_ms), "fps", higher));
  m.push_back(workload_metric("fps.low_1pct_time_weighted", fps_low_time_weighted(ft_ms, 0.01), "fps", higher));
  m.push_back(workload_metric("fps.low_0.1pct_time_weighted", fps_low_time_weighted(ft_ms, 0.001), "fps", higher));
  m.push_back(workload_metric("fps.low_1pct_frame_weighted", fps_low_frame_weighted(ft_ms, 0.01), "fps", higher));
  m.push_back(workload_metric("fps.low_0.1pct_frame_weighted", fps_low_frame_weighted(ft_ms, 0.001), "fps", higher));
  const auto s = stutter(ft_ms);
  m.push_back(workload_metric("stutter_count", static_cast<double>(s.count), "count", lower));
  m.push_back(workload_metric("stutter_time_pct", s.time_pct, "%", lower));
  m.push_back(workload_metric("frames", static_cast<double>(ft_ms.size()), "count", Direction::informational));
  return m;
}

}  // namespace scxlab::workloads
