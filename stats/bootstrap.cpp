#include <algorithm>
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

// Median of a resample, in place (nth_element: O(n), the hot loop of the bootstrap).
double resample_median(std::span<const double> xs, std::vector<double>& buf, Rng& rng) {
  buf.resize(xs.size());
  for (auto& b : buf) b = xs[rng.below(xs.size())];
  const auto mid = buf.size() / 2;
  std::nth_element(buf.begin(), buf.begin() + static_cast<long>(mid), buf.end());
  const double upper = buf[mid];
  if (buf.size() % 2) return upper;
  return (*std::max_element(buf.begin(), buf.begin() + static_cast<long>(mid)) + upper) / 2;
}

Interval percentile_interval(std::vector<double>& stats, double level) {
  const double tail = (1 - level) / 2;
  return {quantile(stats, tail), quantile(stats, 1 - tail)};
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
  // Lemire's multiply-shift: unbiased enough for n far below 2^32, and fast.
  return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Interval bootstrap_median_interval(std::span<const double> xs, int resamples, double level, Rng& rng) {
  if (xs.size() < 2) {
    const double m = median(xs);
    return {m, m};
  }
  std::vector<double> medians(static_cast<std::size_t>(resamples)), buf;
  for (auto& m : medians) m = resample_median(xs, buf, rng);
  return percentile_interval(medians, level);
}

Interval bootstrap_ratio_interval(std::span<const double> baseline, std::span<const double> candidate,
                                  int resamples, double level, Rng& rng) {
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> buf;
  for (int i = 0; i < resamples; ++i) {
    const double b = resample_median(baseline, buf, rng);
    const double c = resample_median(candidate, buf, rng);
    if (b != 0) ratios.push_back(c / b);
  }
  if (ratios.empty()) return {1, 1};
  return percentile_interval(ratios, level);
}

}  // namespace scxlab::stats
