#include "tuner/log_ei.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace scxlab::tuner {
namespace {

const double kLogSqrt2Pi = 0.5 * std::log(2 * std::numbers::pi);
const double kLogSqrtHalfPi = 0.5 * std::log(std::numbers::pi / 2);
const double kInvSqrtEps = 1 / std::sqrt(std::numeric_limits<double>::epsilon());

// log(1 - exp(x)) for x < 0 (Maechler's recipe).
double log1mexp(double x) { return x > -std::numbers::ln2 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x)); }

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
  if (z > -kInvSqrtEps)
    return -0.5 * z * z - kLogSqrt2Pi + log1mexp(std::log(erfcx(-z / std::numbers::sqrt2) * std::fabs(z)) + kLogSqrtHalfPi);
  return -0.5 * z * z - kLogSqrt2Pi - 2 * std::log(std::fabs(z));
}

double log_h_slope(double z) { return std::exp(log_ndtr(z) - log_h(z)); }

}  // namespace scxlab::tuner
