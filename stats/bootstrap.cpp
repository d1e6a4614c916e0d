#include <algorithm>
#include <optional>
#include <vector>

#include "stats/inference.hpp"

namespace scxlab::stats {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// The median of a resample of `sorted` (ascending), from how often each order statistic was
// drawn: a counting sort, O(n) with no selection, the hot loop of every bootstrap here.
double resample_median(std::span<const double> sorted, std::vector<std::uint32_t>& counts, Rng& rng) {
  const std::size_t n = sorted.size();
  counts.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) ++counts[rng.below(n)];
  const std::size_t lower_rank = (n - 1) / 2, upper_rank = n / 2;  // equal when n is odd
  std::size_t below = 0, j = 0;  // below: drawn values with an order statistic under j
  while (below + counts[j] <= lower_rank) below += counts[j++];
  const double lower = sorted[j];
  while (below + counts[j] <= upper_rank) below += counts[j++];
  return (lower + sorted[j]) / 2;
}

std::vector<double> sorted_copy(std::span<const double> xs) {
  std::vector<double> v(xs.begin(), xs.end());
  std::sort(v.begin(), v.end());
  return v;
}

// The type-7 quantile by selection (O(B) instead of sorting the B bootstrap statistics).
double select_quantile(std::vector<double>& v, double q) {
  const auto [index, fraction] = type7_position(v.size(), q);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(index), v.end());
  const double at = v[index];
  if (fraction == 0) return at;
  return at + fraction * (*std::min_element(v.begin() + static_cast<long>(index) + 1, v.end()) - at);
}

Interval percentile_interval(std::vector<double>& stats, double level) {
  const double tail = (1 - level) / 2;
  const double low = select_quantile(stats, tail);
  return {low, select_quantile(stats, 1 - tail)};
}

// The percentile interval of statistic(baseline median, candidate median) over independent
// resamples of both; resamples where the statistic is undefined (nullopt) are skipped.
// Nothing when a sample is empty or no resample gave a value.
template <typename Statistic>
std::optional<Interval> two_sample_interval(std::span<const double> baseline, std::span<const double> candidate,
                                            int resamples, double level, Rng& rng, Statistic statistic) {
  if (baseline.empty() || candidate.empty()) return std::nullopt;
  const auto base = sorted_copy(baseline), cand = sorted_copy(candidate);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(resamples));
  std::vector<std::uint32_t> counts;
  for (int i = 0; i < resamples; ++i) {
    const double b = resample_median(base, counts, rng);
    const double c = resample_median(cand, counts, rng);
    if (const auto v = statistic(b, c)) values.push_back(*v);
  }
  if (values.empty()) return std::nullopt;
  return percentile_interval(values, level);
}


// The weighted mean over the blocks with both sides of contrast(baseline median, candidate
// median), weight n_b n_c / (n_b + n_c); nullopt when a contrast is undefined or no block has
// both sides. `median_of(block, side)` gives the medians: the sample's, or a resample's.
template <typename MedianOf, typename Contrast>
std::optional<double> blocked_mean(std::span<const Block> blocks, MedianOf median_of, Contrast contrast) {
  double sum = 0, weights = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const double nb = static_cast<double>(blocks[i].baseline.size()), nc = static_cast<double>(blocks[i].candidate.size());
    if (nb == 0 || nc == 0) continue;
    const auto c = contrast(median_of(i, false), median_of(i, true));
    if (!c) return std::nullopt;
    const double w = nb * nc / (nb + nc);
    sum += w * *c;
    weights += w;
  }
  if (weights == 0) return std::nullopt;
  return sum / weights;
}

std::optional<double> ratio_of(double b, double c) { return b != 0 ? std::optional<double>(c / b) : std::nullopt; }
std::optional<double> difference_of(double b, double c) { return c - b; }

template <typename Contrast>
std::optional<double> blocked_estimate(std::span<const Block> blocks, Contrast contrast) {
  return blocked_mean(blocks, [&](std::size_t i, bool candidate) {
    return median(candidate ? blocks[i].candidate : blocks[i].baseline);
  }, contrast);
}

// The percentile interval of the blocked estimate over stratified resamples.
template <typename Contrast>
std::optional<Interval> blocked_interval(std::span<const Block> blocks, int resamples, double level, Rng& rng,
                                         Contrast contrast) {
  std::vector<std::vector<double>> sorted;  // baseline, candidate of block 0, then block 1, ...
  for (const auto& b : blocks) {
    sorted.push_back(sorted_copy(b.baseline));
    sorted.push_back(sorted_copy(b.candidate));
  }
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(resamples));
  std::vector<std::uint32_t> counts;
  for (int r = 0; r < resamples; ++r) {
    const auto v = blocked_mean(blocks, [&](std::size_t i, bool candidate) {
      return resample_median(sorted[2 * i + (candidate ? 1 : 0)], counts, rng);
    }, contrast);
    if (v) values.push_back(*v);
  }
  if (values.empty()) return std::nullopt;
  return percentile_interval(values, level);
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::size_t Rng::below(std::size_t n) {
  // Lemire's multiply-shift without rejection: the bias is below n / 2^64, and it is fast.
  return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Interval bootstrap_median_interval(std::span<const double> xs, int resamples, double level, Rng& rng) {
  if (xs.size() < 2) {
    const double m = median(xs);
    return {m, m};
  }
  const auto sorted = sorted_copy(xs);
  std::vector<double> medians(static_cast<std::size_t>(resamples));
  std::vector<std::uint32_t> counts;
  for (auto& m : medians) m = resample_median(sorted, counts, rng);
  return percentile_interval(medians, level);
}

Interval bootstrap_ratio_interval(std::span<const double> baseline, std::span<const double> candidate,
                                  int resamples, double level, Rng& rng) {
  return two_sample_interval(baseline, candidate, resamples, level, rng, ratio_of).value_or(Interval{1, 1});
}

Interval bootstrap_difference_interval(std::span<const double> baseline, std::span<const double> candidate,
                                       int resamples, double level, Rng& rng) {
  return two_sample_interval(baseline, candidate, resamples, level, rng, difference_of).value_or(Interval{0, 0});
}

std::optional<double> blocked_ratio(std::span<const Block> blocks) { return blocked_estimate(blocks, ratio_of); }

std::optional<double> blocked_difference(std::span<const Block> blocks) {
  return blocked_estimate(blocks, difference_of);
}

Interval bootstrap_blocked_ratio_interval(std::span<const Block> blocks, int resamples, double level, Rng& rng) {
  return blocked_interval(blocks, resamples, level, rng, ratio_of).value_or(Interval{1, 1});
}

Interval bootstrap_blocked_difference_interval(std::span<const Block> blocks, int resamples, double level, Rng& rng) {
  return blocked_interval(blocks, resamples, level, rng, difference_of).value_or(Interval{0, 0});
}

}  // namespace scxlab::stats
