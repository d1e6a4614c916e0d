#include "reports/format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace scxlab::reports {
namespace {

constexpr int kSignificant = 3;
constexpr int kMaxDecimals = 9;

struct Scale {
  double divisor;
  const char* suffix;
};

Scale scale_for(double magnitude) {
  if (magnitude >= 1e9) return {1e9, "G"};
  if (magnitude >= 1e6) return {1e6, "M"};
  if (magnitude >= 1e4) return {1e3, "k"};
  return {1, ""};
}

// Decimals that show `significant` digits of a number of this magnitude.
int decimals_for(double magnitude, int significant) {
  if (magnitude == 0 || !std::isfinite(magnitude)) return 0;
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  return std::clamp(significant - 1 - exponent, 0, kMaxDecimals);
}

std::string fixed(double v, const Scale& scale, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  auto text = fmt::format("{:.{}f}{}", v / scale.divisor, decimals, scale.suffix);
  if (text.rfind("-0", 0) == 0 && text.find_first_of("123456789") == std::string::npos) text.erase(0, 1);
  return text;
}

}  // namespace

std::string format_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double magnitude = std::abs(v);
  if (magnitude != 0 && magnitude < 1e-6) return fmt::format("{:.{}g}", v, kSignificant);
  const auto scale = scale_for(magnitude);
  return fixed(v, scale, decimals_for(magnitude / scale.divisor, kSignificant));
}

FormattedEstimate format_estimate(double median, double low, double high) {
  const double largest = std::max({std::abs(median), std::abs(low), std::abs(high)});
  if (!std::isfinite(largest) || (largest != 0 && largest < 1e-6)) {
    return {format_number(median), format_number(low), format_number(high)};
  }
  const auto scale = scale_for(largest);
  int decimals = decimals_for(std::abs(median) / scale.divisor, kSignificant);
  const double width = (high - low) / scale.divisor;
  if (width > 0) {
    // The width's first significant digit shows, at most two decimals more than usual.
    const int for_width = decimals_for(width, 1);
    decimals = std::max(decimals, std::min(for_width, decimals + 2));
  }
  return {fixed(median, scale, decimals), fixed(low, scale, decimals), fixed(high, scale, decimals)};
}

std::string format_estimate(const stats::Summary& s) {
  const auto f = format_estimate(s.median, s.ci_low, s.ci_high);
  if (s.n < 2) return fmt::format("{} [n=1: no interval]", f.median);  // one value says nothing of spread
  return fmt::format("{} [{}, {}]", f.median, f.low, f.high);
}

std::string format_tick(double v, double step) {
  if (!std::isfinite(v)) return "n/a";
  const auto scale = scale_for(std::max(std::abs(v), std::abs(step)));
  const double scaled_step = std::abs(step) / scale.divisor;
  int decimals = 0;  // the fewest that write the step exactly
  for (double shifted = scaled_step; decimals < kMaxDecimals && std::abs(shifted - std::round(shifted)) > 1e-6 * shifted;
       shifted *= 10) {
    ++decimals;
  }
  return fixed(v, scale, decimals);
}

std::string format_change(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  const double percent = (ratio - 1) * 100;
  const int decimals = std::abs(percent) < 99.95 ? 1 : 0;
  return fmt::format("{}{:.{}f}%", percent < 0 ? "-" : "+", std::abs(percent), decimals);
}

std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 0.001) return "<0.001";
  if (p >= 0.995) return "1";
  return fmt::format("{:.{}f}", p, decimals_for(p, 2));
}

namespace {
std::string signed_estimate(double median, double low, double high) {
  const auto sign = [](double v) { return v > 0 ? "+" : ""; };
  const auto e = format_estimate(median, low, high);
  return fmt::format("{}{} [{}{}, {}{}]", sign(median), e.median, sign(low), e.low, sign(high), e.high);
}
}  // namespace

std::string change_with_interval(const stats::Comparison& c) {
  if (c.no_ratio.empty() && std::isfinite(c.ratio)) {
    return fmt::format("{} [{}, {}]", format_change(c.ratio), format_change(c.ratio_ci_low),
                       format_change(c.ratio_ci_high));
  }
  return "difference " + signed_estimate(c.difference, c.difference_ci_low, c.difference_ci_high);
}

std::string comparison_text(const stats::Comparison& c) {
  const auto p = format_p(c.p_adjusted);
  const auto p_text = p.front() == '<' ? "p" + p : "p=" + p;
  if (c.no_ratio.empty() && std::isfinite(c.ratio)) return fmt::format("{}, {}", change_with_interval(c), p_text);
  return fmt::format("{} (no ratio: {}), {}", change_with_interval(c), c.no_ratio.empty() ? "not defined" : c.no_ratio,
                     p_text);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  return fmt::format("{:.1f}%", 100 * fraction);
}

std::string exact(double v) {
  if (!std::isfinite(v)) return "NaN";
  return fmt::format("{}", v);
}

std::string short_call(stats::Call c) {
  switch (c) {
    case stats::Call::better: return "better";
    case stats::Call::worse: return "worse";
    case stats::Call::no_difference: return "no diff.";
    case stats::Call::inconclusive: return "run more";
  }
  return "";
}

bool is_called(stats::Call c) { return c == stats::Call::better || c == stats::Call::worse; }

std::string change_text(const stats::MetricResult& m, bool is_baseline) {
  if (m.direction == Direction::informational) return "";
  if (is_baseline) return "baseline";
  if (!m.vs_baseline) return "not compared";
  const auto& c = *m.vs_baseline;
  // Without a ratio (a non-positive baseline median) a call rests on the test alone.
  if (!is_called(c.call)) return short_call(c.call);
  // Without a ratio (a zero baseline, mixed signs) the called change is the difference.
  if (!c.no_ratio.empty() || !std::isfinite(c.ratio)) {
    const auto d = format_number(c.difference);
    return (c.difference > 0 ? "+" : "") + d + " " + short_call(c.call);
  }
  return format_change(c.ratio) + " " + short_call(c.call);
}

std::string direction_text(Direction d) {
  switch (d) {
    case Direction::lower_is_better: return "lower is better";
    case Direction::higher_is_better: return "higher is better";
    case Direction::informational: return "informational";
  }
  return "informational";
}

}  // namespace scxlab::reports
