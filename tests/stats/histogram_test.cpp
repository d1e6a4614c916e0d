#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "catch.hpp"
#include "stats/histogram.hpp"

using scxlab::stats::LogLinearHistogram;

namespace {

double nearest_rank(const std::vector<std::uint64_t>& sorted, double p) {
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size())));
  return static_cast<double>(sorted[rank - 1]);
}

}  // namespace

TEST_CASE("bucket bounds partition the integers", "[histogram]") {
  for (std::uint64_t v : {0ULL, 1ULL, 31ULL, 32ULL, 63ULL, 64ULL, 65ULL, 1000ULL, 123456789ULL, (1ULL << 41) + 7}) {
    const auto i = scxlab_hist_bucket(v);
    REQUIRE(i < LogLinearHistogram::kBuckets);
    CHECK(scxlab_hist_bucket_low(i) <= v);
    CHECK(v < scxlab_hist_bucket_low(i) + scxlab_hist_bucket_width(i));
  }
  for (std::uint32_t i = 1; i + 1 < LogLinearHistogram::kBuckets; ++i) {
    CHECK(scxlab_hist_bucket_low(i) == scxlab_hist_bucket_low(i - 1) + scxlab_hist_bucket_width(i - 1));
  }
}

TEST_CASE("percentiles match a sorted reference within bucket precision", "[histogram]") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(9.0, 1.5);  // latency-like, 100 ns .. seconds
  std::vector<std::uint64_t> values(50000);
  LogLinearHistogram h;
  for (auto& v : values) {
    v = static_cast<std::uint64_t>(dist(rng));
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  REQUIRE(h.count() == values.size());
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const double want = nearest_rank(values, p);
    CHECK(std::abs(h.percentile(p) - want) <= want / 32.0 + 1.0);
  }
}

TEST_CASE("small values are exact and merge adds counts", "[histogram]") {
  LogLinearHistogram a, b;
  for (std::uint64_t v = 0; v < 60; ++v) a.record(v);
  for (std::uint64_t v = 0; v < 60; ++v) b.record(v);
  a.merge(b);
  CHECK(a.count() == 120);
  CHECK(a.percentile(50) == 29.0);
  const auto round_trip = LogLinearHistogram::from_buckets(a.nonzero_buckets());
  CHECK(round_trip.count() == 120);
  CHECK(round_trip.percentile(99) == a.percentile(99));
}
