#include "stats/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace scxlab::stats {
namespace {

double bucket_mid(std::uint32_t i) {
  const auto low = static_cast<double>(scxlab_hist_bucket_low(i));
  return low + static_cast<double>(scxlab_hist_bucket_width(i) - 1) / 2.0;
}

}  // namespace

void LogLinearHistogram::add_bucket_counts(std::span<const std::uint64_t> counts) {
  const auto n = std::min(counts.size(), kBuckets);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (counts[i] == 0) continue;
    counts_[i] += counts[i];
    total_ += counts[i];
    sum_ += bucket_mid(i) * static_cast<double>(counts[i]);
    min_ = std::min<std::uint64_t>(min_, scxlab_hist_bucket_low(i));
    max_ = std::max<std::uint64_t>(max_, scxlab_hist_bucket_low(i) + scxlab_hist_bucket_width(i) - 1);
  }
}

void LogLinearHistogram::merge(const LogLinearHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LogLinearHistogram::clear() { *this = LogLinearHistogram(); }

double LogLinearHistogram::percentile(double p) const {
  if (empty()) return 0.0;
  p = std::clamp(p, 0.0, 100.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_))));
  std::uint64_t seen = 0;
  for (std::uint32_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(bucket_mid(i), static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> LogLinearHistogram::nonzero_buckets() const {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  for (std::uint32_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] != 0) out.emplace_back(i, counts_[i]);
  }
  return out;
}

LogLinearHistogram LogLinearHistogram::from_buckets(
    std::span<const std::pair<std::uint32_t, std::uint64_t>> buckets) {
  std::vector<std::uint64_t> dense(kBuckets, 0);
  for (const auto& [index, count] : buckets) {
    if (index < kBuckets) dense[index] += count;
  }
  LogLinearHistogram h;
  h.add_bucket_counts(dense);
  return h;
}

}  // namespace scxlab::stats
