// The covariance of the tuner's Gaussian process, as in Optuna's GPSampler: one Matern 5/2
// kernel over a single scaled distance that mixes both kinds of dimension,
//   r^2 = sum over numeric dims (x_j - y_j)^2 / l_j^2 + sum over categorical dims [x_j != y_j] / l_j^2
//   k(x, y) = s * (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r),
// so booleans and categories contribute a Hamming distance with their own length-scale (ARD
// over every dim) and interact with the numeric knobs through the shared kernel.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "tuner/encoding.hpp"

namespace scxlab::tuner {

// Matern 5/2 as a function of r^2, and its derivative with respect to r^2 (finite at 0).
double matern52(double r2);
double matern52_dr2(double r2);

class Kernel {
 public:
  Kernel(std::vector<bool> categorical, Eigen::VectorXd lengthscales, double signal);

  const std::vector<bool>& categorical() const { return categorical_; }
  const Eigen::VectorXd& lengthscales() const { return lengthscales_; }
  double signal() const { return signal_; }

  double r2(const double* a, const double* b) const;
  double operator()(const double* a, const double* b) const { return signal_ * matern52(r2(a, b)); }
  // Kernel matrix between the rows of A and the rows of B.
  Eigen::MatrixXd cross(const Points& A, const Points& B) const;
  Eigen::MatrixXd gram(const Points& X) const { return cross(X, X); }
  // k(x, X_i) for every row i, and (when dk is not null) d k(x, X_i) / d x_j in dk(i, j)
  // (zero for categorical dims).
  Eigen::VectorXd column(const double* x, const Points& X, Eigen::MatrixXd* dk) const;

 private:
  std::vector<bool> categorical_;
  Eigen::VectorXd lengthscales_;
  Eigen::VectorXd inv_sq_;  // 1 / l_j^2
  double signal_;
};

}  // namespace scxlab::tuner
