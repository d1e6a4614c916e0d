#include "tuner/kernel.hpp"

#include <cmath>

namespace scxlab::tuner {
namespace {
const double kSqrt5 = std::sqrt(5.0);
}

double matern52(double r2) {
  const double r = std::sqrt(std::max(r2, 0.0));
  return (1 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
}

double matern52_dr2(double r2) {
  const double r = std::sqrt(std::max(r2, 0.0));
  return -5.0 / 6.0 * (1 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

Kernel::Kernel(std::vector<bool> categorical, Eigen::VectorXd lengthscales, double signal)
    : categorical_(std::move(categorical)),
      lengthscales_(std::move(lengthscales)),
      inv_sq_(lengthscales_.array().square().inverse().matrix()),
      signal_(signal) {}

double Kernel::r2(const double* a, const double* b) const {
  double sum = 0;
  for (Eigen::Index j = 0; j < inv_sq_.size(); ++j) {
    const auto i = static_cast<std::size_t>(j);
    const double d = categorical_[i] ? static_cast<double>(a[i] != b[i]) : a[i] - b[i];
    sum += d * d * inv_sq_[j];
  }
  return sum;
}

Eigen::MatrixXd Kernel::cross(const Points& A, const Points& B) const {
  Eigen::MatrixXd K(A.rows(), B.rows());
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    for (Eigen::Index j = 0; j < B.rows(); ++j) K(i, j) = (*this)(A.row(i).data(), B.row(j).data());
  }
  return K;
}

Eigen::VectorXd Kernel::column(const double* x, const Points& X, Eigen::MatrixXd* dk) const {
  Eigen::VectorXd k(X.rows());
  if (dk) dk->setZero(X.rows(), inv_sq_.size());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double* xi = X.row(i).data();
    const double d2 = r2(x, xi);
    k[i] = signal_ * matern52(d2);
    if (!dk) continue;
    const double slope = signal_ * matern52_dr2(d2);
    for (Eigen::Index j = 0; j < inv_sq_.size(); ++j) {
      const auto u = static_cast<std::size_t>(j);
      if (!categorical_[u]) (*dk)(i, j) = slope * 2 * (x[u] - xi[u]) * inv_sq_[j];
    }
  }
  return k;
}

}  // namespace scxlab::tuner
