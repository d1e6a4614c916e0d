// The GP's posterior against the closed form of the 1-D case, worked by hand: one or two
// noisy observations, a known Matern 5/2 kernel, mean k' (K + nI)^-1 y and variance
// s - k' (K + nI)^-1 k with the 2x2 inverse written out.
#include <cmath>

#include "catch.hpp"
#include "tuner/gp.hpp"

using namespace scxlab::tuner;

namespace {

constexpr double kLength = 0.4, kSignal = 1.7, kNoise = 0.05;

// s (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r), r = |a - b| / l: the kernel, spelled out.
double k(double a, double b) {
  const double r = std::fabs(a - b) / kLength;
  return kSignal * (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * r * r) * std::exp(-std::sqrt(5.0) * r);
}

GaussianProcess one_d(std::initializer_list<double> xs, std::initializer_list<double> ys) {
  Points X(static_cast<Eigen::Index>(xs.size()), 1);
  Eigen::VectorXd y(static_cast<Eigen::Index>(ys.size()));
  Eigen::Index i = 0;
  for (double x : xs) X(i++, 0) = x;
  i = 0;
  for (double v : ys) y[i++] = v;
  GpHyper h;
  h.lengthscales = Eigen::VectorXd::Constant(1, kLength);
  h.signal = kSignal;
  h.noise = kNoise;
  return GaussianProcess(X, y, {false}, h);
}

struct Moments {
  double mean, var;
};

Moments predict_at(const GaussianProcess& gp, double x) {
  Moments m{};
  gp.predict(&x, m.mean, m.var);
  Points one(1, 1);
  one(0, 0) = x;
  Eigen::VectorXd means, vars;
  gp.predict(one, means, vars);  // the batched path must agree with the pointwise one
  CHECK(means[0] == Approx(m.mean).epsilon(1e-12));
  CHECK(vars[0] == Approx(m.var).epsilon(1e-12).margin(1e-15));
  return m;
}

constexpr double kProbes[] = {0.0, 0.2, 0.3, 0.45, 0.7, 1.0, 2.5};

}  // namespace

TEST_CASE("one observation: the posterior is the closed form", "[gp]") {
  const double x0 = 0.3, y0 = 1.2;
  const auto gp = one_d({x0}, {y0});
  for (double x : kProbes) {
    INFO("x = " << x);
    const auto m = predict_at(gp, x);
    CHECK(m.mean == Approx(k(x, x0) * y0 / (kSignal + kNoise)).epsilon(1e-12));
    CHECK(m.var == Approx(kSignal - k(x, x0) * k(x, x0) / (kSignal + kNoise)).epsilon(1e-12));
  }
  // The latent value at the observation: shrunk toward the prior mean by s / (s + n), with
  // variance s n / (s + n).
  CHECK(gp.latent_mean()[0] == Approx(kSignal * y0 / (kSignal + kNoise)).epsilon(1e-12));
  CHECK(gp.latent_covariance()(0, 0) == Approx(kSignal * kNoise / (kSignal + kNoise)).epsilon(1e-12));
}

TEST_CASE("two observations: the posterior is the closed form with the 2x2 inverse", "[gp]") {
  const double x1 = 0.2, x2 = 0.7, y1 = -0.8, y2 = 0.5;
  const auto gp = one_d({x1, x2}, {y1, y2});
  const double d = kSignal + kNoise, c = k(x1, x2), det = d * d - c * c;
  for (double x : kProbes) {
    INFO("x = " << x);
    const double k1 = k(x, x1), k2 = k(x, x2);
    // (K + nI)^-1 = [[d, -c], [-c, d]] / det
    const double w1 = (d * k1 - c * k2) / det, w2 = (d * k2 - c * k1) / det;
    const auto m = predict_at(gp, x);
    CHECK(m.mean == Approx(w1 * y1 + w2 * y2).epsilon(1e-12));
    CHECK(m.var == Approx(kSignal - (w1 * k1 + w2 * k2)).epsilon(1e-10));
  }
  // Cov[f(X) | y] = K - K (K + nI)^-1 K, entry by entry.
  const Eigen::MatrixXd C = gp.latent_covariance();
  const double s = kSignal;
  CHECK(C(0, 0) == Approx(s - (s * (d * s - c * c) + c * (d * c - c * s)) / det).epsilon(1e-10));
  CHECK(C(0, 1) == Approx(c - (s * (d * c - c * s) + c * (d * s - c * c)) / det).epsilon(1e-10));
  CHECK(C(1, 0) == Approx(C(0, 1)).epsilon(1e-14));
}

TEST_CASE("far from the data the posterior returns to the prior", "[gp]") {
  const auto gp = one_d({0.2, 0.7}, {-0.8, 0.5});
  const auto m = predict_at(gp, 50.0);
  CHECK(m.mean == Approx(0).margin(1e-12));
  CHECK(m.var == Approx(kSignal).epsilon(1e-12));
}

TEST_CASE("a fantasy at the posterior mean keeps the mean and shrinks the variance there", "[gp][batch]") {
  // A batch believer's conditioning (tuner/optimizer.hpp): observing the posterior mean m at x
  // with noise e leaves every mean as it was, and the variance at x, v before, becomes the
  // Gaussian update v e / (v + e).
  const auto gp = one_d({0.2, 0.7}, {-0.8, 0.5});
  const double xp = 0.45, exact = 1e-3;
  const auto before = predict_at(gp, xp);
  Points X(3, 1);
  X << 0.2, 0.7, xp;
  Eigen::VectorXd y(3), noise(3);
  y << -0.8, 0.5, before.mean;
  noise << kNoise, kNoise, exact;
  const GaussianProcess believer(X, y, {false}, gp.hyper(), noise);
  const auto after = predict_at(believer, xp);
  CHECK(after.mean == Approx(before.mean).epsilon(1e-9));
  CHECK(after.var == Approx(before.var * exact / (before.var + exact)).epsilon(1e-6));
  CHECK(after.var < exact);
  for (double x : kProbes) {
    INFO("x = " << x);
    CHECK(predict_at(believer, x).mean == Approx(predict_at(gp, x).mean).epsilon(1e-9).margin(1e-12));
  }
}
