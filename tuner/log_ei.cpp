#include "tuner/log_ei.hpp"

#include <cmath>
#include <numbers>

namespace scxlab::tuner {
namespace {

const double kLogSqrt2Pi = 0.5 * std::log(2 * std::numbers::pi);
const double kLogSqrtHalfPi = 0.5 * std::log(std::numbers::pi / 2);

// log(1 - exp(x)) for x < 0 (Maechler's recipe).
double log1mexp(double x) { return x > -std::numbers::ln2 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x)); }

// Below z = -kTailStart, h(z) and Phi(z) come from the asymptotic series of the Mills ratio
// R(t) = Phi(-t) / phi(t), t = -z, instead of 1 - t R(t) in floating point: that difference is
// ~1/t^2, so computing it from R(t) loses a factor t^2 of precision (at t = 5e7 every digit,
// tests/tuner/log_ei_test.cpp). At t >= 20, 12 terms leave a truncation error below 1e-18.
constexpr double kTailStart = 20;

struct MillsSeries {
  double ratio;  // t R(t)           = 1 - 1/t^2 + 3/t^4 - 15/t^6 + ...
  double gap;    // t^2 (1 - t R(t)) = 1 - 3/t^2 + 15/t^4 - 105/t^6 + ...
};

MillsSeries mills_series(double t) {
  const double inv_t2 = 1 / (t * t);
  double term = 1;  // (-1)^k (2k - 1)!! / t^(2k)
  MillsSeries s{1, 1};
  for (int k = 1; k <= 12; ++k) {
    term *= -(2 * k - 1) * inv_t2;
    s.ratio += term;
    s.gap += term * (2 * k + 1);
  }
  return s;
}

}  // namespace

double erfcx(double x) {
  if (x < 25) return std::exp(x * x) * std::erfc(x);
  // Asymptotic series: 1/(x sqrt(pi)) (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3 + ...);
  // at x >= 25 the terms fall below 1e-16 long before the series diverges.
  const double inv = 1 / (2 * x * x);
  double term = 1, sum = 1;
  for (int k = 1; k < 8; ++k) {
    term *= -(2 * k - 1) * inv;
    sum += term;
  }
  return sum / (x * std::sqrt(std::numbers::pi));
}

double log_ndtr(double z) {
  if (z > 0) return std::log1p(-0.5 * std::erfc(z / std::numbers::sqrt2));
  if (z > -1) return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  // Phi(z) = erfcx(-z / sqrt2) exp(-z^2 / 2) / 2.
  return std::log(0.5 * erfcx(-z / std::numbers::sqrt2)) - 0.5 * z * z;
}

double log_h(double z) {
  if (z > -1) {
    const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
    const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    return std::log(pdf + z * cdf);
  }
  if (z > -kTailStart)
    return -0.5 * z * z - kLogSqrt2Pi + log1mexp(std::log(erfcx(-z / std::numbers::sqrt2) * std::fabs(z)) + kLogSqrtHalfPi);
  // h(z) = phi(t) (1 - t R(t)) = phi(t) gap / t^2.
  const double t = -z;
  return -0.5 * t * t - kLogSqrt2Pi - 2 * std::log(t) + std::log(mills_series(t).gap);
}

double log_h_slope(double z) {
  if (z > -kTailStart) return std::exp(log_ndtr(z) - log_h(z));
  // Phi(z) / h(z) = R(t) / (1 - t R(t)) = t ratio / gap; the difference of two logs of size
  // t^2 / 2 would keep no digit of it once t^2 / 2 passes 2^53 (slope 1 instead of 1e10).
  const double t = -z;
  const auto s = mills_series(t);
  return t * s.ratio / s.gap;
}

}  // namespace scxlab::tuner
