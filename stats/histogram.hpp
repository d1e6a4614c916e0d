// A log-linear histogram of non-negative integers (latencies in ns, frame times in us, ...),
// bucketed exactly like the BPF probes (stats/loglinear.h): cheap to record into (one index
// computation and an increment), mergeable across threads and CPUs, and precise to 1.6%.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stats/loglinear.h"

namespace scxlab::stats {

class LogLinearHistogram {
 public:
  static constexpr std::size_t kBuckets = SCXLAB_HIST_BUCKETS;

  LogLinearHistogram() : counts_(kBuckets, 0) {}

  void record(std::uint64_t v) noexcept {
    ++counts_[scxlab_hist_bucket(v)];
    ++total_;
    sum_ += static_cast<double>(v);
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }

  // Adds bucket counts filled elsewhere (a BPF per-CPU map). Their exact values are unknown,
  // so min, max and mean are then taken from bucket bounds and midpoints.
  void add_bucket_counts(std::span<const std::uint64_t> counts);
  void merge(const LogLinearHistogram& other);
  void clear();

  std::uint64_t count() const { return total_; }
  bool empty() const { return total_ == 0; }
  std::uint64_t min() const { return empty() ? 0 : min_; }
  std::uint64_t max() const { return empty() ? 0 : max_; }
  double mean() const { return empty() ? 0.0 : sum_ / static_cast<double>(total_); }

  // Nearest-rank percentile, p in [0, 100]: the midpoint of the bucket holding the value of
  // rank ceil(p/100 * n), clamped to [min, max]; exact below 64. 0 when empty.
  double percentile(double p) const;

  // Sparse form for storage: (bucket index, count) for every non-empty bucket.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> nonzero_buckets() const;
  static LogLinearHistogram from_buckets(std::span<const std::pair<std::uint32_t, std::uint64_t>> buckets);
  std::span<const std::uint64_t> bucket_counts() const { return counts_; }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  double sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

// A histogram with what it measures: "runq_wait" in "ns".
struct NamedHistogram {
  std::string name;
  std::string unit;
  LogLinearHistogram hist;
};

}  // namespace scxlab::stats
