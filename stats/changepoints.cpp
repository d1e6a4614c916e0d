#include "stats/changepoints.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "stats/inference.hpp"

namespace scxlab::stats {
namespace {

struct Range {
  std::size_t begin = 0, end = 0;  // [begin, end)
  std::size_t size() const { return end - begin; }
};

// The windows either side of `at` within [begin, end).
std::pair<Range, Range> windows(std::size_t at, Range within, std::size_t window) {
  const std::size_t left = at - std::min(window, at - within.begin);
  return {{left, at}, {at, std::min(within.end, at + window)}};
}

double mean_abs_difference(std::span<const double> a, std::span<const double> b) {
  double sum = 0;
  for (double x : a) {
    for (double y : b) sum += std::abs(x - y);
  }
  return sum / static_cast<double>(a.size() * b.size());
}

double mean_abs_within(std::span<const double> a) {
  if (a.size() < 2) return 0;
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = i + 1; j < a.size(); ++j) sum += std::abs(a[i] - a[j]);
  }
  return sum / static_cast<double>(a.size() * (a.size() - 1) / 2);
}

// E-divisive's divergence between the two sides (Matteson and James 2014, alpha = 1): the
// energy distance, weighted by mn / (m + n) so that balanced splits are not favoured unduly.
double energy(std::span<const double> left, std::span<const double> right) {
  const double m = static_cast<double>(left.size()), n = static_cast<double>(right.size());
  const double distance = 2 * mean_abs_difference(left, right) - mean_abs_within(left) - mean_abs_within(right);
  return m * n / (m + n) * distance;
}

class Detector {
 public:
  Detector(std::span<const double> series, const ChangePointOptions& o) : x_(series), o_(o) {}

  std::vector<std::size_t> split(Range r) const {
    if (r.size() < 2 * o_.min_segment) return {};
    std::size_t best = 0;
    double best_energy = -1;
    for (std::size_t at = r.begin + o_.min_segment; at + o_.min_segment <= r.end; ++at) {
      const auto [l, rr] = windows(at, r, o_.window);
      const double e = energy(slice(l), slice(rr));
      if (e > best_energy) best = at, best_energy = e;
    }
    if (best_energy <= 0 || test(best, r).p_value > o_.max_p) return {};
    auto out = split({r.begin, best});
    out.push_back(best);
    const auto right = split({best, r.end});
    out.insert(out.end(), right.begin(), right.end());
    return out;
  }

  // The split at `at` was chosen as the best of every position in `within`, so its raw p is
  // corrected for that many looks (Bonferroni): without it, stationary noise splits somewhere
  // once in a few series.
  ChangePoint test(std::size_t at, Range within) const {
    const auto [l, r] = windows(at, within, o_.window);
    ChangePoint cp;
    cp.index = at;
    cp.mean_before = mean(slice(l));
    cp.mean_after = mean(slice(r));
    cp.change = cp.mean_before != 0 ? cp.mean_after / cp.mean_before - 1 : std::numeric_limits<double>::quiet_NaN();
    const auto positions = static_cast<double>(within.size() + 1 - 2 * o_.min_segment);
    cp.p_value = std::min(1.0, welch_t_p(slice(l), slice(r)) * positions);
    return cp;
  }

  // Each change point against its neighbours only: a split found inside a wide range can
  // weaken once the ranges around it are cut by the others. Repeats until every one holds.
  std::vector<ChangePoint> confirm(std::vector<std::size_t> at) const {
    for (;;) {
      std::vector<ChangePoint> tested;
      std::size_t weakest = 0;
      for (std::size_t i = 0; i < at.size(); ++i) {
        const Range within{i == 0 ? 0 : at[i - 1], i + 1 == at.size() ? x_.size() : at[i + 1]};
        tested.push_back(test(at[i], within));
        if (tested[i].p_value > tested[weakest].p_value) weakest = i;
      }
      if (tested.empty() || tested[weakest].p_value <= o_.max_p) return tested;
      at.erase(at.begin() + static_cast<long>(weakest));
    }
  }

 private:
  std::span<const double> slice(Range r) const { return x_.subspan(r.begin, r.size()); }

  std::span<const double> x_;
  const ChangePointOptions& o_;
};

void validate(const ChangePointOptions& o) {
  if (!(o.max_p > 0 && o.max_p < 1)) {
    throw std::invalid_argument(fmt::format("change points: max_p = {}: must be in (0, 1), e.g. 0.001", o.max_p));
  }
  if (o.window < 2 || o.min_segment < 2) {
    throw std::invalid_argument(fmt::format("change points: window {} and min_segment {} must be at least 2 (a t-test "
                                            "needs two values a side)", o.window, o.min_segment));
  }
}

}  // namespace

std::vector<ChangePoint> change_points(std::span<const double> series, const ChangePointOptions& options) {
  validate(options);
  const Detector detector(series, options);
  return detector.confirm(detector.split({0, series.size()}));
}

}  // namespace scxlab::stats
