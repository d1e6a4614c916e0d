// log EI's pieces (tuner/log_ei.hpp) against references computed in 50-digit arithmetic:
// h(z) = phi(z) + z Phi(z) from Boost.Math's erfc where exp(-z^2 / 2) is still representable
// in cpp_bin_float_50, and from Laplace's continued fraction of the Mills ratio everywhere
// (the two agree to 40 digits where both exist, checked first). The far tail (z = -1e4 ..
// -1e10) is where the acquisition optimiser lands next to an observed point with tiny
// posterior variance, and where double-precision shortcuts lose every digit.
#include <cmath>
#include <limits>

#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "catch.hpp"
#include "tuner/log_ei.hpp"

using scxlab::tuner::log_h;
using scxlab::tuner::log_h_slope;
using scxlab::tuner::log_ndtr;
using Big = boost::multiprecision::cpp_bin_float_50;

namespace {

const Big kSqrt2 = boost::multiprecision::sqrt(Big(2));
const Big kLogSqrt2Pi = boost::multiprecision::log(boost::multiprecision::sqrt(2 * boost::math::constants::pi<Big>()));

// Phi(z) and h(z) directly (z not far below -3e4: exp(-z^2 / 2) underflows cpp_bin_float_50).
Big ndtr_by_erfc(const Big& z) { return boost::math::erfc(-z / kSqrt2) / 2; }
Big log_h_by_erfc(const Big& z) {
  const Big pdf = boost::multiprecision::exp(-z * z / 2 - kLogSqrt2Pi);
  return boost::multiprecision::log(pdf + z * ndtr_by_erfc(z));
}

// The Mills ratio R(t) = Phi(-t) / phi(t) for t > 0 by Laplace's continued fraction
// 1 / (t + 1 / (t + 2 / (t + 3 / ...))), evaluated bottom-up 400 levels deep (converged to
// 50 digits for t >= 5).
Big mills_ratio(const Big& t) {
  Big tail = t;
  for (int k = 400; k >= 1; --k) tail = t + k / tail;
  return 1 / tail;
}

// In log form, valid for any t: log h(-t) = log phi(t) + log(1 - t R(t)).
Big log_h_by_fraction(const Big& t) { return -t * t / 2 - kLogSqrt2Pi + boost::multiprecision::log(1 - t * mills_ratio(t)); }
Big log_ndtr_by_fraction(const Big& t) { return -t * t / 2 - kLogSqrt2Pi + boost::multiprecision::log(mills_ratio(t)); }
// d/dz log h(z) = Phi(z) / h(z) = R(t) / (1 - t R(t)).
Big slope_by_fraction(const Big& t) {
  const Big r = mills_ratio(t);
  return r / (1 - t * r);
}

double to_double(const Big& v) { return v.convert_to<double>(); }

// Within `ulps` units in the last place of the reference, plus an absolute `slack`.
bool close(double got, const Big& want, double ulps, double slack = 0) {
  const double w = to_double(want);
  const double ulp = std::nextafter(std::fabs(w), std::numeric_limits<double>::infinity()) - std::fabs(w);
  return std::fabs(to_double(Big(got) - want)) <= ulps * ulp + slack;
}

constexpr double kModerate[] = {-5, -8, -10, -15, -19.9, -20, -20.1, -25, -35, -35.4, -36, -40, -100, -1e3, -1e4};
constexpr double kFar[] = {-3e4, -1e5, -1e6, -1e7, -3e7, -5e7, -6.7e7, -6.8e7, -1e8, -1e9, -1e10};

}  // namespace

TEST_CASE("the two high-precision references agree where both exist", "[log_ei]") {
  // On the Mills ratio itself: 1 - t R(t) then magnifies any difference by t^2.
  for (double z : kModerate) {
    INFO("z = " << z);
    const Big t = -z;
    const Big by_erfc = ndtr_by_erfc(Big(z)) / boost::multiprecision::exp(-t * t / 2 - kLogSqrt2Pi);
    CHECK(to_double(boost::multiprecision::abs(by_erfc / mills_ratio(t) - 1)) < 1e-40);
  }
}

TEST_CASE("log h matches the reference to a few units in the last place from z = -5 to -1e10", "[log_ei]") {
  // Between -20 and -1, 1 - t R(t) comes from erfcx in double precision, so the error grows
  // with t^2 (measured 1.7e-13 at z = -10, 1.3e-13 at -35 before the tail series): a relative
  // error of EI below 1e-12 there. Beyond, the asymptotic series keeps it within rounding.
  for (double z : kModerate) {
    INFO("z = " << z);
    CHECK(close(log_h(z), log_h_by_erfc(Big(z)), 2, z > -20 ? 1e-12 : 0));
  }
  for (double z : kFar) {
    INFO("z = " << z);
    CHECK(close(log_h(z), log_h_by_fraction(Big(-z)), 2));
  }
}

TEST_CASE("log h near zero and above it matches the reference", "[log_ei]") {
  for (double z : {-1.5, -1.0, -0.999, -0.5, 0.0, 0.5, 1.0, 3.0, 8.0, 40.0}) {
    INFO("z = " << z);
    CHECK(close(log_h(z), log_h_by_erfc(Big(z)), 4, 1e-15));
  }
}

TEST_CASE("log Phi matches the reference in the far tail", "[log_ei]") {
  for (double z : kModerate) {
    INFO("z = " << z);
    CHECK(close(log_ndtr(z), boost::multiprecision::log(ndtr_by_erfc(Big(z))), 4, 1e-13));
  }
  for (double z : kFar) {
    INFO("z = " << z);
    CHECK(close(log_ndtr(z), log_ndtr_by_fraction(Big(-z)), 2));
  }
}

TEST_CASE("the slope of log h keeps its relative precision in the far tail", "[log_ei]") {
  // Before the tail series this was exp(log Phi - log h), a difference of two numbers of size
  // z^2 / 2: 1.0 instead of 1e10 at z = -1e10, 3x too large at z = -6e7, 1.6e-4 off at -1e6.
  for (double z : kModerate) {
    INFO("z = " << z);
    const double want = to_double(slope_by_fraction(Big(-z)));
    CHECK(log_h_slope(z) == Approx(want).epsilon(1e-11));
  }
  for (double z : kFar) {
    INFO("z = " << z);
    const double want = to_double(slope_by_fraction(Big(-z)));
    CHECK(log_h_slope(z) == Approx(want).epsilon(1e-14));
  }
}

TEST_CASE("log h and its slope are continuous where the method changes", "[log_ei]") {
  for (double edge : {-1.0, -20.0}) {
    INFO("edge " << edge);
    const double below = std::nextafter(edge, -1e9), above = std::nextafter(edge, 0.0);
    CHECK(log_h(below) == Approx(log_h(above)).epsilon(1e-13));
    CHECK(log_h_slope(below) == Approx(log_h_slope(above)).epsilon(1e-11));
  }
}
