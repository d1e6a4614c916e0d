#include "tuner/gp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "stats/inference.hpp"
#include "tuner/gp_objective.hpp"
#include "tuner/random.hpp"

namespace scxlab::tuner {
namespace {

// Parameter vector: log length-scales (d), log signal variance, log(noise - floor).
struct Bounds {
  static constexpr double log_ls_low = -5, log_ls_high = 5;        // 0.0067 .. 148 cube widths
  static constexpr double log_signal_low = -7, log_signal_high = 4;
  static constexpr double log_noise_low = -18, log_noise_high = 2;  // excess over the floor
};

std::vector<double> lower_bounds(Eigen::Index d) {
  std::vector<double> lb(static_cast<std::size_t>(d), Bounds::log_ls_low);
  lb.push_back(Bounds::log_signal_low);
  lb.push_back(Bounds::log_noise_low);
  return lb;
}

std::vector<double> upper_bounds(Eigen::Index d) {
  std::vector<double> ub(static_cast<std::size_t>(d), Bounds::log_ls_high);
  ub.push_back(Bounds::log_signal_high);
  ub.push_back(Bounds::log_noise_high);
  return ub;
}

std::vector<double> clamp_to(std::vector<double> theta, const std::vector<double>& lb, const std::vector<double>& ub) {
  for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = std::clamp(theta[i], lb[i], ub[i]);
  return theta;
}

struct Candidate {
  std::vector<double> theta;
  double value = std::numeric_limits<double>::infinity();
};

// Starting points: the prior's mode (length-scales at the mode, unit signal, noise 1e-2),
// then random scatter around it scored by value alone.
std::vector<Candidate> starting_points(const MapObjective& f, const GpOptions& o, std::uint64_t seed) {
  const auto d = f.parameters() - 2;
  const auto lb = lower_bounds(d), ub = upper_bounds(d);
  std::vector<double> mode(static_cast<std::size_t>(d), f.ls_mode());
  mode.push_back(0);
  mode.push_back(std::log(std::max(1e-2 - o.noise_floor, 1e-8)));
  Candidate first{clamp_to(mode, lb, ub), 0};
  first.value = f(first.theta, nullptr);

  stats::Rng rng(seed);
  std::vector<Candidate> scattered;
  for (int s = 0; s < o.random_starts; ++s) {
    std::vector<double> theta = mode;
    for (Eigen::Index j = 0; j < d; ++j) theta[static_cast<std::size_t>(j)] += 1.2 * standard_normal(rng);
    theta[static_cast<std::size_t>(d)] += 0.7 * standard_normal(rng);
    theta[static_cast<std::size_t>(d + 1)] = -9 + 8 * rng.uniform();  // noise 1e-4 .. 0.3
    Candidate c{clamp_to(theta, lb, ub), 0};
    c.value = f(c.theta, nullptr);
    scattered.push_back(std::move(c));
  }
  std::stable_sort(scattered.begin(), scattered.end(),
                   [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
  std::vector<Candidate> starts{first};
  for (std::size_t i = 0; i < scattered.size() && static_cast<int>(starts.size()) < o.local_starts; ++i)
    starts.push_back(scattered[i]);
  return starts;
}

// L-BFGS from `start`; returns the best point it evaluated (NLopt may stop with an
// exception such as roundoff_limited after making progress).
Candidate local_map(const MapObjective& f, Candidate start, int max_evaluations) {
  struct State {
    const MapObjective* f;
    Candidate best;
  } state{&f, start};
  const auto n = static_cast<unsigned>(f.parameters());
  nlopt::opt opt(nlopt::LD_LBFGS, n);
  opt.set_lower_bounds(lower_bounds(f.parameters() - 2));
  opt.set_upper_bounds(upper_bounds(f.parameters() - 2));
  opt.set_maxeval(max_evaluations);
  opt.set_ftol_rel(1e-9);
  opt.set_xtol_rel(1e-6);
  opt.set_min_objective(
      [](const std::vector<double>& x, std::vector<double>& grad, void* data) {
        auto* s = static_cast<State*>(data);
        const double v = (*s->f)(x, &grad);
        if (v < s->best.value) s->best = {x, v};
        return v;
      },
      &state);
  std::vector<double> x = start.theta;
  double value = 0;
  try {
    opt.optimize(x, value);
  } catch (const std::exception&) {
    // Keep the best point seen: L-BFGS stopping early is not a failure of the fit.
  }
  return state.best;
}

}  // namespace

Eigen::LLT<Eigen::MatrixXd> stable_cholesky(Eigen::MatrixXd K, double scale) {
  Eigen::LLT<Eigen::MatrixXd> llt(K);
  if (llt.info() == Eigen::Success) return llt;
  double jitter = 1e-10 * std::max(scale, 1e-300);
  for (int attempt = 0; attempt < 9; ++attempt, jitter *= 10) {
    K.diagonal().array() += jitter;
    llt.compute(K);
    if (llt.info() == Eigen::Success) return llt;
  }
  throw std::runtime_error(fmt::format("covariance matrix ({0}x{0}) is not positive definite even with jitter "
                                       "{1:g}: the data contain NaN or infinite values",
                                       K.rows(), jitter));
}

GaussianProcess::GaussianProcess(Points X, Eigen::VectorXd y, std::vector<bool> categorical, const GpHyper& hyper)
    : GaussianProcess(std::move(X), y, std::move(categorical), hyper, Eigen::VectorXd::Constant(y.size(), hyper.noise)) {}

GaussianProcess::GaussianProcess(Points X, Eigen::VectorXd y, std::vector<bool> categorical, const GpHyper& hyper,
                                 Eigen::VectorXd row_noise)
    : X_(std::move(X)),
      y_(std::move(y)),
      hyper_(hyper),
      kernel_(std::move(categorical), hyper.lengthscales, hyper.signal),
      row_noise_(std::move(row_noise)) {
  Eigen::MatrixXd K = kernel_.gram(X_);
  K.diagonal() += row_noise_;
  chol_ = stable_cholesky(std::move(K), hyper_.signal);
  alpha_ = chol_.solve(y_);
}

GaussianProcess GaussianProcess::fit(Points X, Eigen::VectorXd y, std::vector<bool> categorical,
                                     const GpOptions& options, std::uint64_t seed) {
  const MapObjective f(X, y, categorical, options.noise_floor);
  Candidate best;
  for (auto& start : starting_points(f, options, seed)) {
    const auto found = local_map(f, std::move(start), options.max_evaluations);
    if (found.value < best.value) best = found;
  }
  const auto d = static_cast<Eigen::Index>(categorical.size());
  GpHyper hyper;
  hyper.lengthscales.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) hyper.lengthscales[j] = std::exp(best.theta[static_cast<std::size_t>(j)]);
  hyper.signal = std::exp(best.theta[static_cast<std::size_t>(d)]);
  hyper.noise = options.noise_floor + std::exp(best.theta[static_cast<std::size_t>(d + 1)]);
  return GaussianProcess(std::move(X), std::move(y), std::move(categorical), hyper);
}

void GaussianProcess::predict(const double* x, double& mean, double& var, Eigen::VectorXd* dmean,
                              Eigen::VectorXd* dvar) const {
  Eigen::MatrixXd dk;
  const bool gradients = dmean || dvar;
  const Eigen::VectorXd k = kernel_.column(x, X_, gradients ? &dk : nullptr);
  mean = k.dot(alpha_);
  const Eigen::VectorXd v = chol_.matrixL().solve(k);
  var = std::max(hyper_.signal - v.squaredNorm(), 0.0);
  if (dmean) *dmean = dk.transpose() * alpha_;
  if (dvar) {
    const Eigen::VectorXd beta = chol_.matrixU().solve(v);
    *dvar = -2 * (dk.transpose() * beta);
  }
}

void GaussianProcess::predict(const Points& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& var) const {
  const Eigen::MatrixXd Ks = kernel_.cross(Xs, X_);
  mean = Ks * alpha_;
  const Eigen::MatrixXd V = chol_.matrixL().solve(Ks.transpose());
  var = (hyper_.signal - V.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
}

Eigen::VectorXd GaussianProcess::latent_mean() const { return y_ - row_noise_.cwiseProduct(alpha_); }

Eigen::MatrixXd GaussianProcess::latent_covariance() const {
  // Cov[f(X) | y] = K - K (K + N)^-1 K = N - N (K + N)^-1 N, N = diag(row noise).
  const auto n = y_.size();
  const auto N = row_noise_.asDiagonal();
  Eigen::MatrixXd C = -(N * chol_.solve(Eigen::MatrixXd::Identity(n, n)) * N);
  C.diagonal() += row_noise_;
  return 0.5 * (C + C.transpose());
}

}  // namespace scxlab::tuner
