#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "stats/inference.hpp"

namespace scxlab::stats {
namespace {

constexpr std::size_t kExactLimit = 25;

struct Ranked {
  double rank_sum_a = 0;
  double tie_term = 0;  // sum over tie groups of t^3 - t
  bool ties = false;
};

Ranked rank_samples(std::span<const double> a, std::span<const double> b) {
  std::vector<std::pair<double, bool>> all;  // value, is-from-a
  for (double x : a) all.emplace_back(x, true);
  for (double x : b) all.emplace_back(x, false);
  std::sort(all.begin(), all.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  Ranked r;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (all[k].second) r.rank_sum_a += avg_rank;
    }
    if (t > 1) {
      r.ties = true;
      r.tie_term += t * t * t - t;
    }
    i = j;
  }
  return r;
}

// Number of arrangements giving each U, for sizes n1, n2 (the null distribution, unnormalised).
std::vector<double> exact_u_counts(std::size_t n1, std::size_t n2) {
  // counts[i][j][u] built incrementally over i (sizes of the first sample) with rolling rows.
  const std::size_t umax = n1 * n2;
  std::vector<std::vector<double>> prev(n2 + 1, std::vector<double>(umax + 1, 0.0));
  for (std::size_t j = 0; j <= n2; ++j) prev[j][0] = 1;  // i = 0: U = 0 only
  for (std::size_t i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> cur(n2 + 1, std::vector<double>(umax + 1, 0.0));
    cur[0][0] = 1;
    for (std::size_t j = 1; j <= n2; ++j) {
      for (std::size_t u = 0; u <= i * j; ++u) {
        // The largest value is from sample one (adds j to U) or from sample two.
        cur[j][u] = (u >= j ? prev[j][u - j] : 0.0) + cur[j - 1][u];
      }
    }
    prev = std::move(cur);
  }
  return prev[n2];
}

double normal_two_sided(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

}  // namespace

double mann_whitney_p(std::span<const double> a, std::span<const double> b) {
  const std::size_t n1 = a.size(), n2 = b.size();
  if (n1 == 0 || n2 == 0) return 1;
  const auto ranked = rank_samples(a, b);
  const double u = ranked.rank_sum_a - static_cast<double>(n1 * (n1 + 1)) / 2;
  if (!ranked.ties && n1 <= kExactLimit && n2 <= kExactLimit) {
    const auto counts = exact_u_counts(n1, n2);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const auto k = static_cast<std::size_t>(std::llround(u));
    const double lower = std::accumulate(counts.begin(), counts.begin() + static_cast<long>(k) + 1, 0.0);
    const double upper = std::accumulate(counts.begin() + static_cast<long>(k), counts.end(), 0.0);
    return std::min(1.0, 2 * std::min(lower, upper) / total);
  }
  const double n = static_cast<double>(n1 + n2);
  const double mu = static_cast<double>(n1 * n2) / 2;
  const double var = static_cast<double>(n1 * n2) / 12 * ((n + 1) - ranked.tie_term / (n * (n - 1)));
  if (var <= 0) return 1;
  const double z = std::max(0.0, std::abs(u - mu) - 0.5) / std::sqrt(var);
  return std::min(1.0, normal_two_sided(z));
}

double van_elteren_p(std::span<const Block> blocks) {
  double statistic = 0, expected = 0, variance = 0;
  for (const auto& block : blocks) {
    const double n1 = static_cast<double>(block.baseline.size()), n2 = static_cast<double>(block.candidate.size());
    if (n1 == 0 || n2 == 0) continue;
    const double n = n1 + n2;
    const auto ranked = rank_samples(block.baseline, block.candidate);
    const double weight = 1 / (n + 1);
    statistic += weight * ranked.rank_sum_a;
    expected += weight * n1 * (n + 1) / 2;
    variance += weight * weight * n1 * n2 / 12 * ((n + 1) - ranked.tie_term / (n * (n - 1)));
  }
  if (variance <= 0) return 1;
  return std::min(1.0, normal_two_sided((statistic - expected) / std::sqrt(variance)));
}

double mann_whitney_min_p(std::size_t n1, std::size_t n2) {
  if (n1 == 0 || n2 == 0) return 1;
  // 2 / C(n1 + n2, n1), computed in logs to stay finite.
  const double log_c = std::lgamma(static_cast<double>(n1 + n2 + 1)) - std::lgamma(static_cast<double>(n1 + 1)) -
                       std::lgamma(static_cast<double>(n2 + 1));
  return std::min(1.0, 2 * std::exp(-log_c));
}

std::size_t min_repetitions_for_significance(double alpha, std::size_t family_size) {
  if (!(alpha > 0)) throw std::invalid_argument(fmt::format("alpha {}: must be above 0 (e.g. 0.05)", alpha));
  std::size_t n = 1;
  while (mann_whitney_min_p(n, n) * static_cast<double>(family_size) >= alpha) ++n;
  return n;
}

std::vector<double> holm_adjust(std::span<const double> p) {
  const std::size_t m = p.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) { return p[l] < p[r]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (std::size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace scxlab::stats
