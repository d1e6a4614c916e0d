#include "tuner/acquisition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "tuner/log_ei.hpp"
#include "tuner/random.hpp"

namespace scxlab::tuner {
namespace {

// Fixed standard-normal base samples, row i from its own stream so a row's draws do not
// change when points are added after it.
Eigen::MatrixXd base_samples(Eigen::Index rows, int draws, std::uint64_t seed) {
  Eigen::MatrixXd Z(rows, draws);
  for (Eigen::Index i = 0; i < rows; ++i) {
    stats::Rng rng(mix_seed(seed, static_cast<std::uint64_t>(i)));
    for (int m = 0; m < draws; ++m) Z(i, m) = standard_normal(rng);
  }
  return Z;
}

// Joint draws of a GP's latent function at its training inputs (rows) with base samples Z.
Eigen::MatrixXd latent_draws(const GaussianProcess& gp, const Eigen::MatrixXd& Z) {
  const auto root = stable_cholesky(gp.latent_covariance(), gp.noise());
  Eigen::MatrixXd F = root.matrixL() * Z;
  F.colwise() += gp.latent_mean();
  return F;
}

double log_sum_exp(const Eigen::VectorXd& v) {
  const double top = v.maxCoeff();
  if (!std::isfinite(top)) return top;
  return top + std::log((v.array() - top).exp().sum());
}

double log_normal_pdf_over_cdf(double u) {
  return std::exp(-0.5 * u * u - 0.5 * std::log(2 * std::numbers::pi) - log_ndtr(u));
}

}  // namespace

Eigen::VectorXd Acquisition::values(const Points& X) const {
  Eigen::VectorXd out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) out[i] = value(X.row(i).transpose(), nullptr);
  return out;
}

LogExpectedImprovement::LogExpectedImprovement(const GaussianProcess& gp, Eigen::LLT<Eigen::MatrixXd> chol,
                                               Eigen::MatrixXd weights, Eigen::VectorXd best)
    : gp_(&gp),
      chol_(std::move(chol)),
      weights_(std::move(weights)),
      best_(std::move(best)),
      variance_floor_(1e-12 * gp.kernel().signal()) {}

std::unique_ptr<LogExpectedImprovement> LogExpectedImprovement::plain(const GaussianProcess& gp, double best) {
  return std::unique_ptr<LogExpectedImprovement>(
      new LogExpectedImprovement(gp, gp.cholesky(), gp.alpha(), Eigen::VectorXd::Constant(1, best)));
}

std::unique_ptr<LogExpectedImprovement> LogExpectedImprovement::noisy(const GaussianProcess& gp,
                                                                      std::span<const ConstraintModel> constraints,
                                                                      int samples, std::uint64_t seed) {
  const auto n = gp.inputs().rows();
  const Eigen::MatrixXd F = latent_draws(gp, base_samples(n, samples, mix_seed(seed, 0)));
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> feasible = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(n, samples, true);
  for (std::size_t k = 0; k < constraints.size(); ++k) {
    const auto& c = constraints[k];
    const Eigen::MatrixXd C = latent_draws(*c.gp, base_samples(n, samples, mix_seed(seed, k + 1)));
    feasible = feasible && (C.array() <= c.threshold);
  }
  Eigen::VectorXd best(samples);
  for (int m = 0; m < samples; ++m) {
    double b = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) {
      if (feasible(i, m)) b = std::min(b, F(i, m));
    }
    // No observed point feasible in this draw: improve on its worst value.
    best[m] = std::isfinite(b) ? b : F.col(m).maxCoeff();
  }
  // Condition noise-free on each draw; the small jitter keeps duplicate inputs solvable.
  Eigen::MatrixXd K = gp.kernel().gram(gp.inputs());
  K.diagonal().array() += 1e-6 * gp.kernel().signal();
  auto chol = stable_cholesky(std::move(K), gp.kernel().signal());
  Eigen::MatrixXd weights = chol.solve(F);
  return std::unique_ptr<LogExpectedImprovement>(
      new LogExpectedImprovement(gp, std::move(chol), std::move(weights), std::move(best)));
}

// log mean over draws of EI(mean_m, sigma); optionally the weights that turn gradients of
// the means and of sigma into the gradient of the result:
//   d result = sum_m slope_weights[m] d mean_m + sigma_weight d sigma.
double LogExpectedImprovement::combine(const double* means, double sigma, Eigen::VectorXd* slope_weights,
                                       double* sigma_weight) const {
  const auto draws = best_.size();
  Eigen::VectorXd terms(draws), z(draws);
  for (Eigen::Index m = 0; m < draws; ++m) {
    z[m] = (best_[m] - means[m]) / sigma;
    terms[m] = log_h(z[m]) + std::log(sigma);
  }
  const double lse = log_sum_exp(terms);
  if (slope_weights) {
    slope_weights->resize(draws);
    *sigma_weight = 0;
    for (Eigen::Index m = 0; m < draws; ++m) {
      const double w = std::exp(terms[m] - lse);
      const double s = log_h_slope(z[m]);
      (*slope_weights)[m] = -w * s / sigma;
      *sigma_weight += w * (1 - s * z[m]) / sigma;
    }
  }
  return lse - std::log(static_cast<double>(draws));
}

double LogExpectedImprovement::value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  Eigen::MatrixXd dk;
  const Eigen::VectorXd k = gp_->kernel().column(x.data(), gp_->inputs(), grad ? &dk : nullptr);
  const Eigen::VectorXd means = weights_.transpose() * k;
  const Eigen::VectorXd v = chol_.matrixL().solve(k);
  const double var = gp_->kernel().signal() - v.squaredNorm();
  const bool clamped = var < variance_floor_;
  const double sigma = std::sqrt(std::max(var, variance_floor_));
  if (!grad) return combine(means.data(), sigma, nullptr, nullptr);

  Eigen::VectorXd slope_weights;
  double sigma_weight = 0;
  const double result = combine(means.data(), sigma, &slope_weights, &sigma_weight);
  *grad = dk.transpose() * (weights_ * slope_weights);
  if (!clamped) {
    const Eigen::VectorXd dvar = -2 * (dk.transpose() * chol_.matrixU().solve(v));
    *grad += sigma_weight * dvar / (2 * sigma);
  }
  return result;
}

Eigen::VectorXd LogExpectedImprovement::values(const Points& X) const {
  const Eigen::MatrixXd Ks = gp_->kernel().cross(X, gp_->inputs());
  const Eigen::MatrixXd means = Ks * weights_;  // rows: candidates, columns: draws
  const Eigen::MatrixXd V = chol_.matrixL().solve(Ks.transpose());
  const Eigen::VectorXd var = (gp_->kernel().signal() - V.colwise().squaredNorm().array()).matrix().transpose();
  Eigen::VectorXd out(X.rows());
  Eigen::VectorXd row(best_.size());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    row = means.row(i).transpose();
    out[i] = combine(row.data(), std::sqrt(std::max(var[i], variance_floor_)), nullptr, nullptr);
  }
  return out;
}

LogProbabilityOfFeasibility::LogProbabilityOfFeasibility(std::vector<ConstraintModel> constraints)
    : constraints_(std::move(constraints)) {}

double LogProbabilityOfFeasibility::value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  double total = 0;
  if (grad) grad->setZero(x.size());
  for (const auto& c : constraints_) {
    double mean = 0, var = 0;
    Eigen::VectorXd dmean, dvar;
    c.gp->predict(x.data(), mean, var, grad ? &dmean : nullptr, grad ? &dvar : nullptr);
    const double floor = 1e-12 * c.gp->kernel().signal();
    const double sigma = std::sqrt(std::max(var, floor));
    const double u = (c.threshold - mean) / sigma;
    total += log_ndtr(u);
    if (grad) {
      const Eigen::VectorXd dsigma = var > floor ? Eigen::VectorXd(dvar / (2 * sigma)) : Eigen::VectorXd::Zero(x.size());
      *grad += log_normal_pdf_over_cdf(u) * (-dmean - u * dsigma) / sigma;
    }
  }
  return total;
}

Eigen::VectorXd LogProbabilityOfFeasibility::values(const Points& X) const {
  Eigen::VectorXd total = Eigen::VectorXd::Zero(X.rows());
  for (const auto& c : constraints_) {
    Eigen::VectorXd mean, var;
    c.gp->predict(X, mean, var);
    const double floor = 1e-12 * c.gp->kernel().signal();
    for (Eigen::Index i = 0; i < X.rows(); ++i) total[i] += log_ndtr((c.threshold - mean[i]) / std::sqrt(std::max(var[i], floor)));
  }
  return total;
}

SumOfLogs::SumOfLogs(std::vector<std::unique_ptr<Acquisition>> parts) : parts_(std::move(parts)) {}

double SumOfLogs::value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  double total = 0;
  if (grad) grad->setZero(x.size());
  Eigen::VectorXd g;
  for (const auto& p : parts_) {
    total += p->value(x, grad ? &g : nullptr);
    if (grad) *grad += g;
  }
  return total;
}

Eigen::VectorXd SumOfLogs::values(const Points& X) const {
  Eigen::VectorXd total = Eigen::VectorXd::Zero(X.rows());
  for (const auto& p : parts_) total += p->values(X);
  return total;
}

}  // namespace scxlab::tuner
