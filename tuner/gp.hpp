// Gaussian process regression on the optimiser's coordinates (tuner/encoding.hpp) with the
// mixed Matern 5/2 + Hamming kernel of tuner/kernel.hpp, for standardised targets.
//
// Hyper-parameters by maximum a posteriori (NLopt L-BFGS on the analytic gradient of the log
// marginal likelihood plus log priors), BoTorch's priors:
//   length-scale l_j ~ LogNormal(sqrt2 + 0.5 log d, sqrt3)    (d = number of dims)
//   noise variance   ~ LogNormal(-4, 1), never below a floor (1e-6 by default, see GpOptions)
//   signal variance: log s ~ Normal(0, 1)   (targets are standardised)
// Starts: the prior's mode, then the best few of a deterministic random scatter around it.
// Robustness: Cholesky with escalating jitter, so duplicate inputs and constant targets give
// finite answers; no NaN reaches a caller.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "tuner/encoding.hpp"
#include "tuner/kernel.hpp"

namespace scxlab::tuner {

struct GpOptions {
  // Smallest noise variance (standardised units). BoTorch uses 1e-4; measured on the suite
  // (S3 noiseless, 8 seeds) 1e-4 blurs the optimum (median regret 0.064, none under 1e-3)
  // while 1e-6 resolves it (4.2e-4, 62% under 1e-3); noisy cells learn their noise anyway.
  double noise_floor = 1e-6;
  int random_starts = 16;      // scattered hyper-parameter candidates, scored without gradient
  int local_starts = 2;        // L-BFGS runs: the prior's mode + the best scattered ones
  int max_evaluations = 80;    // likelihood evaluations per L-BFGS run
};

struct GpHyper {
  Eigen::VectorXd lengthscales;
  double signal = 1;
  double noise = 1e-2;  // noise variance
};

// Cholesky factor of a symmetric matrix that should be positive definite, adding jitter
// (1e-10 .. 1e-2 of `scale`) to the diagonal until the factorisation succeeds. Throws
// std::runtime_error naming the matrix size when even the largest jitter fails (NaN input).
Eigen::LLT<Eigen::MatrixXd> stable_cholesky(Eigen::MatrixXd K, double scale);

class GaussianProcess {
 public:
  // Conditions on (X, y) with the given hyper-parameters.
  GaussianProcess(Points X, Eigen::VectorXd y, std::vector<bool> categorical, const GpHyper& hyper);
  // The same, with each row's own noise variance: a batch believer's fantasies are known
  // exactly (tuner/optimizer.hpp), its measured rows keep the learned noise.
  GaussianProcess(Points X, Eigen::VectorXd y, std::vector<bool> categorical, const GpHyper& hyper,
                  Eigen::VectorXd row_noise);
  // MAP fit of the hyper-parameters, then conditioning. Deterministic for a seed.
  static GaussianProcess fit(Points X, Eigen::VectorXd y, std::vector<bool> categorical, const GpOptions& options,
                             std::uint64_t seed);

  const Points& inputs() const { return X_; }
  const Eigen::VectorXd& targets() const { return y_; }
  const Kernel& kernel() const { return kernel_; }
  const GpHyper& hyper() const { return hyper_; }
  double noise() const { return hyper_.noise; }  // the learned noise of a measurement
  const Eigen::LLT<Eigen::MatrixXd>& cholesky() const { return chol_; }  // of K + noise I
  const Eigen::VectorXd& alpha() const { return alpha_; }                  // (K + noise I)^-1 y

  // Posterior of the latent (noise-free) function at x: mean and variance, and their
  // gradients with respect to x when the pointers are not null.
  void predict(const double* x, double& mean, double& var, Eigen::VectorXd* dmean = nullptr,
               Eigen::VectorXd* dvar = nullptr) const;
  void predict(const Points& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& var) const;

  // Joint posterior of the latent function at the training inputs.
  Eigen::VectorXd latent_mean() const;
  Eigen::MatrixXd latent_covariance() const;

 private:
  Points X_;
  Eigen::VectorXd y_;
  GpHyper hyper_;
  Kernel kernel_;
  Eigen::VectorXd row_noise_;         // noise variance of each row (all hyper_.noise unless given)
  Eigen::LLT<Eigen::MatrixXd> chol_;  // of K + diag(row_noise)
  Eigen::VectorXd alpha_;             // (K + diag(row_noise))^-1 y
};

}  // namespace scxlab::tuner
