// Acquisition functions, all in log space and all MAXIMISED over the optimiser's coordinates
// (tuner/encoding.hpp). The objective is minimised; targets are standardised.
//   log EI           Ament et al. 2023 (tuner/log_ei.hpp), against an incumbent value
//   log noisy EI     Letham et al. 2019: log of EI averaged over joint posterior draws of the
//                    latent objective at the observed points; each draw has its own
//                    incumbent (its best feasible value) and EI is taken on the GP conditioned
//                    noise-free on that draw. Draws use fixed base samples, so the surface is
//                    deterministic and smooth for the optimiser.
//   log P(feasible)  sum over constraint models of log Phi((threshold - mean) / sd)
//                    (Gardner et al. 2014), added to log EI, or alone while nothing observed
//                    is feasible.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "tuner/gp.hpp"

namespace scxlab::tuner {

class Acquisition {
 public:
  virtual ~Acquisition() = default;
  // Log acquisition at x; its gradient with respect to x when grad is not null (entries of
  // categorical dims are meaningless: the optimiser searches those by enumeration).
  virtual double value(const Eigen::VectorXd& x, Eigen::VectorXd* grad = nullptr) const = 0;
  // At every row of X (batched where that pays off).
  virtual Eigen::VectorXd values(const Points& X) const;
};

// A constraint's GP on standardised values; the outcome is feasible when the latent value is
// <= threshold.
struct ConstraintModel {
  const GaussianProcess* gp = nullptr;
  double threshold = 0;
};

class LogExpectedImprovement final : public Acquisition {
 public:
  // Plain log EI on the GP's posterior against `best` (a standardised target value).
  static std::unique_ptr<LogExpectedImprovement> plain(const GaussianProcess& gp, double best);
  // Noisy log EI over `samples` posterior draws; feasibility of the observed points in each
  // draw comes from draws of the constraint models (none: all feasible).
  static std::unique_ptr<LogExpectedImprovement> noisy(const GaussianProcess& gp,
                                                       std::span<const ConstraintModel> constraints, int samples,
                                                       std::uint64_t seed);

  double value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  Eigen::VectorXd values(const Points& X) const override;

 private:
  LogExpectedImprovement(const GaussianProcess& gp, Eigen::LLT<Eigen::MatrixXd> chol, Eigen::MatrixXd weights,
                         Eigen::VectorXd best);
  double combine(const double* means, double sigma, Eigen::VectorXd* slope_weights, double* sigma_weight) const;

  const GaussianProcess* gp_;
  Eigen::LLT<Eigen::MatrixXd> chol_;  // covariance the candidate is conditioned on
  Eigen::MatrixXd weights_;           // n x draws: mean of draw m at x = k(x, X) . weights_.col(m)
  Eigen::VectorXd best_;              // incumbent of each draw
  double variance_floor_;
};

class LogProbabilityOfFeasibility final : public Acquisition {
 public:
  explicit LogProbabilityOfFeasibility(std::vector<ConstraintModel> constraints);
  double value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  Eigen::VectorXd values(const Points& X) const override;

 private:
  std::vector<ConstraintModel> constraints_;
};

// Sum of log acquisitions (a product of acquisitions), e.g. log EI + log P(feasible).
class SumOfLogs final : public Acquisition {
 public:
  explicit SumOfLogs(std::vector<std::unique_ptr<Acquisition>> parts);
  double value(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  Eigen::VectorXd values(const Points& X) const override;

 private:
  std::vector<std::unique_ptr<Acquisition>> parts_;
};

}  // namespace scxlab::tuner
