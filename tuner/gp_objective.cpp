#include "tuner/gp_objective.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "tuner/kernel.hpp"

namespace scxlab::tuner {
namespace {

constexpr double kLsPriorScale2 = 3.0;  // sqrt3 squared
constexpr double kNoiseLoc = -4, kNoiseScale2 = 1;
constexpr double kSignalScale2 = 1;

}  // namespace

MapObjective::MapObjective(const Points& X, const Eigen::VectorXd& y, const std::vector<bool>& categorical,
                           double noise_floor)
    : y_(y), floor_(noise_floor), d_(static_cast<Eigen::Index>(categorical.size())) {
  const auto n = X.rows();
  ls_loc_ = std::numbers::sqrt2 + 0.5 * std::log(static_cast<double>(std::max<Eigen::Index>(d_, 1)));
  sq_dist_.resize(static_cast<std::size_t>(d_));
  for (Eigen::Index j = 0; j < d_; ++j) {
    auto& D = sq_dist_[static_cast<std::size_t>(j)];
    D.resize(n, n);
    for (Eigen::Index a = 0; a < n; ++a) {
      for (Eigen::Index b = 0; b < n; ++b) {
        const double diff = categorical[static_cast<std::size_t>(j)] ? static_cast<double>(X(a, j) != X(b, j))
                                                                     : X(a, j) - X(b, j);
        D(a, b) = diff * diff;
      }
    }
  }
}

double MapObjective::ls_mode() const { return ls_loc_ - kLsPriorScale2; }

double MapObjective::operator()(const std::vector<double>& theta, std::vector<double>* grad) const {
  const auto n = y_.size();
  Eigen::MatrixXd R2 = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < d_; ++j) R2 += sq_dist_[static_cast<std::size_t>(j)] * std::exp(-2 * theta[j]);
  const double signal = std::exp(theta[d_]);
  const double noise_excess = std::exp(theta[d_ + 1]);
  const double noise = floor_ + noise_excess;

  Eigen::MatrixXd K(n, n), dK(n, n);  // kernel, and s * matern'(r^2)
  for (Eigen::Index b = 0; b < n; ++b) {
    for (Eigen::Index a = b; a < n; ++a) {
      K(a, b) = K(b, a) = signal * matern52(R2(a, b));
      dK(a, b) = dK(b, a) = signal * matern52_dr2(R2(a, b));
    }
  }
  Eigen::MatrixXd Ky = K;
  Ky.diagonal().array() += noise;
  Eigen::LLT<Eigen::MatrixXd> llt(Ky);
  if (llt.info() != Eigen::Success) return std::numeric_limits<double>::max() / 4;
  const Eigen::VectorXd alpha = llt.solve(y_);
  const Eigen::MatrixXd L = llt.matrixL();
  const double nll = 0.5 * y_.dot(alpha) + L.diagonal().array().log().sum() +
                     0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
  double prior = 0;
  for (Eigen::Index j = 0; j < d_; ++j) {
    const double t = theta[j];
    prior += -t - (t - ls_loc_) * (t - ls_loc_) / (2 * kLsPriorScale2);
  }
  prior += -theta[d_] * theta[d_] / (2 * kSignalScale2);
  const double log_noise = std::log(noise);
  prior += -log_noise - (log_noise - kNoiseLoc) * (log_noise - kNoiseLoc) / (2 * kNoiseScale2);

  if (grad && !grad->empty()) {
    Eigen::MatrixXd W = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
    const Eigen::MatrixXd G = W.cwiseProduct(dK);
    for (Eigen::Index j = 0; j < d_; ++j) {
      const double dnll = std::exp(-2 * theta[j]) * G.cwiseProduct(sq_dist_[static_cast<std::size_t>(j)]).sum();
      const double dprior = -1 - (theta[j] - ls_loc_) / kLsPriorScale2;
      (*grad)[j] = dnll - dprior;
    }
    (*grad)[d_] = -0.5 * W.cwiseProduct(K).sum() + theta[d_] / kSignalScale2;
    const double dprior_dnoise = (-1 - (log_noise - kNoiseLoc) / kNoiseScale2) / noise;
    (*grad)[d_ + 1] = (-0.5 * W.trace() - dprior_dnoise) * noise_excess;
  }
  return nll - prior;
}

}  // namespace scxlab::tuner
