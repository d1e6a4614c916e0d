// The tuner's hand-derived gradients against central finite differences, at random points
// with fixed seeds: the negative log posterior of the GP's hyper-parameters (each length-scale,
// the signal and the noise), the kernel's column, the GP's predictive mean and variance, and
// every acquisition function (log EI plain and noisy, log P(feasible), their sum).
// A wrong gradient does not crash anything: L-BFGS just stops early at a worse point, which is
// why these checks exist.
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "catch.hpp"
#include "tuner/acquisition.hpp"
#include "tuner/gp.hpp"
#include "tuner/gp_objective.hpp"
#include "tuner/random.hpp"

using namespace scxlab::tuner;

namespace {

// Two numeric dims and one categorical dim with three choices.
const std::vector<bool> kCategorical{false, false, true};

struct Data {
  Points X;
  Eigen::VectorXd y;
};

Data training_data(std::uint64_t seed, Eigen::Index n) {
  scxlab::stats::Rng rng(seed);
  Data d{Points(n, 3), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    d.X(i, 0) = rng.uniform();
    d.X(i, 1) = rng.uniform();
    d.X(i, 2) = static_cast<double>(rng.below(3));
    d.y[i] = std::sin(6 * d.X(i, 0)) + d.X(i, 1) * d.X(i, 2) + 0.1 * standard_normal(rng);
  }
  d.y = (d.y.array() - d.y.mean()) / std::sqrt((d.y.array() - d.y.mean()).square().mean());
  return d;
}

GpHyper random_hyper(scxlab::stats::Rng& rng) {
  GpHyper h;
  h.lengthscales = Eigen::VectorXd(3);
  for (Eigen::Index j = 0; j < 3; ++j) h.lengthscales[j] = std::exp(-1.5 + 2 * rng.uniform());
  h.signal = std::exp(-1 + 2 * rng.uniform());
  h.noise = std::exp(-9 + 6 * rng.uniform());
  return h;
}

// A candidate point: numeric dims uniform, the categorical dim one of its choices.
Eigen::VectorXd random_point(scxlab::stats::Rng& rng) {
  return Eigen::Vector3d(rng.uniform(), rng.uniform(), static_cast<double>(rng.below(3)));
}

// Central difference of f along coordinate j, step h.
double central_difference(const std::function<double(const Eigen::VectorXd&)>& f, Eigen::VectorXd x, Eigen::Index j,
                          double h) {
  const double at = x[j];
  x[j] = at + h;
  const double up = f(x);
  x[j] = at - h;
  const double down = f(x);
  return (up - down) / (2 * h);
}

// Checks the numeric entries of an analytic gradient against central differences: they
// agree to `tolerance` relative to the larger of the gradient's norm and 1 (a component near
// zero next to large ones cannot be resolved better by a difference quotient).
void check_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                    const Eigen::VectorXd& analytic, const std::vector<bool>& skip, double tolerance = 1e-6) {
  REQUIRE(analytic.size() == x.size());
  const double scale = std::max(1.0, analytic.norm());
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    if (skip[static_cast<std::size_t>(j)]) continue;
    INFO("coordinate " << j << " at " << x.transpose());
    const double numeric = central_difference(f, x, j, 1e-6 * std::max(1.0, std::fabs(x[j])));
    REQUIRE(std::isfinite(analytic[j]));
    CHECK(std::fabs(analytic[j] - numeric) <= tolerance * scale);
  }
}

constexpr std::uint64_t kSeeds[] = {1, 2, 3, 4, 5, 6, 7, 8};

}  // namespace

TEST_CASE("the hyper-parameter posterior's gradient matches finite differences in every parameter", "[gradients]") {
  for (std::uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    const Data d = training_data(seed, 12);
    const MapObjective objective(d.X, d.y, kCategorical, 1e-6);
    scxlab::stats::Rng rng(mix_seed(seed, 1));
    for (int point = 0; point < 4; ++point) {
      Eigen::VectorXd theta(objective.parameters());
      for (Eigen::Index j = 0; j < 3; ++j) theta[j] = -2 + 3 * rng.uniform();  // log length-scales
      theta[3] = -1 + 2 * rng.uniform();                                         // log signal
      theta[4] = -10 + 8 * rng.uniform();                                        // log noise excess
      const auto value_at = [&](const Eigen::VectorXd& t) {
        return objective(std::vector<double>(t.data(), t.data() + t.size()), nullptr);
      };
      std::vector<double> grad(static_cast<std::size_t>(theta.size()));
      objective(std::vector<double>(theta.data(), theta.data() + theta.size()), &grad);
      check_gradient(value_at, theta, Eigen::Map<Eigen::VectorXd>(grad.data(), theta.size()),
                     std::vector<bool>(static_cast<std::size_t>(theta.size()), false));
    }
  }
}

TEST_CASE("the kernel column's gradient matches finite differences in the numeric dims", "[gradients]") {
  for (std::uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    const Data d = training_data(seed, 6);
    scxlab::stats::Rng rng(mix_seed(seed, 2));
    const GpHyper h = random_hyper(rng);
    const Kernel kernel(kCategorical, h.lengthscales, h.signal);
    const Eigen::VectorXd x = random_point(rng);
    Eigen::MatrixXd dk;
    kernel.column(x.data(), d.X, &dk);
    for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
      INFO("column entry " << i);
      const auto entry = [&](const Eigen::VectorXd& p) { return kernel.column(p.data(), d.X, nullptr)[i]; };
      check_gradient(entry, x, dk.row(i).transpose(), kCategorical);
    }
  }
}

TEST_CASE("the predictive mean's and variance's gradients match finite differences", "[gradients]") {
  for (std::uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    Data d = training_data(seed, 10);
    scxlab::stats::Rng rng(mix_seed(seed, 3));
    const GaussianProcess gp(d.X, d.y, kCategorical, random_hyper(rng));
    for (int point = 0; point < 4; ++point) {
      const Eigen::VectorXd x = random_point(rng);
      double mean = 0, var = 0;
      Eigen::VectorXd dmean, dvar;
      gp.predict(x.data(), mean, var, &dmean, &dvar);
      const auto mean_at = [&](const Eigen::VectorXd& p) {
        double m = 0, v = 0;
        gp.predict(p.data(), m, v);
        return m;
      };
      const auto var_at = [&](const Eigen::VectorXd& p) {
        double m = 0, v = 0;
        gp.predict(p.data(), m, v);
        return v;
      };
      check_gradient(mean_at, x, dmean, kCategorical);
      check_gradient(var_at, x, dvar, kCategorical);
    }
  }
}

namespace {

// Checks an acquisition's gradient at random points; its value there must be finite.
void check_acquisition(const Acquisition& acquisition, scxlab::stats::Rng& rng) {
  for (int point = 0; point < 6; ++point) {
    const Eigen::VectorXd x = random_point(rng);
    Eigen::VectorXd grad;
    const double value = acquisition.value(x, &grad);
    REQUIRE(std::isfinite(value));
    CHECK(value == Approx(acquisition.value(x, nullptr)).epsilon(1e-12));
    const auto value_at = [&](const Eigen::VectorXd& p) { return acquisition.value(p, nullptr); };
    check_gradient(value_at, x, grad, kCategorical, 1e-5);
  }
}

struct Models {
  GaussianProcess objective, constraint;
};

Models random_models(std::uint64_t seed) {
  Data d = training_data(seed, 10);
  scxlab::stats::Rng rng(mix_seed(seed, 4));
  const Eigen::VectorXd c = d.X.col(0).array() + d.X.col(1).array() - 1;  // feasible below the diagonal
  return {GaussianProcess(d.X, d.y, kCategorical, random_hyper(rng)),
          GaussianProcess(d.X, c, kCategorical, random_hyper(rng))};
}

}  // namespace

TEST_CASE("every acquisition function's gradient matches finite differences", "[gradients]") {
  for (std::uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    const Models m = random_models(seed);
    scxlab::stats::Rng rng(mix_seed(seed, 5));
    const std::vector<ConstraintModel> constraints{{&m.constraint, 0.0}};
    SECTION("plain log EI") { check_acquisition(*LogExpectedImprovement::plain(m.objective, m.objective.targets().minCoeff()), rng); }
    SECTION("noisy log EI") { check_acquisition(*LogExpectedImprovement::noisy(m.objective, constraints, 32, seed), rng); }
    SECTION("log P(feasible)") { check_acquisition(LogProbabilityOfFeasibility(constraints), rng); }
    SECTION("log EI + log P(feasible)") {
      std::vector<std::unique_ptr<Acquisition>> parts;
      parts.push_back(LogExpectedImprovement::noisy(m.objective, constraints, 32, seed));
      parts.push_back(std::make_unique<LogProbabilityOfFeasibility>(constraints));
      check_acquisition(SumOfLogs(std::move(parts)), rng);
    }
  }
}

TEST_CASE("log EI's gradient stays finite and points back far from the incumbent", "[gradients]") {
  // An incumbent far below every prediction puts z near -1e7, deep in log h's tail, where the
  // slope was once a difference of two logs of size 5e13 (this check failed then).
  const Models m = random_models(11);
  const auto acquisition = LogExpectedImprovement::plain(m.objective, -1e7);
  scxlab::stats::Rng rng(12);
  check_acquisition(*acquisition, rng);
}
