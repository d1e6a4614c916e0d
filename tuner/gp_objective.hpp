// The tuner's Gaussian-process hyper-parameter posterior (tuner/gp.hpp fits its maximum), apart
// from gp.cpp so tests/tuner can check its hand-derived gradient against finite differences.
// Internal to the tuner: nothing outside tuner/ and its tests includes it.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "tuner/encoding.hpp"

namespace scxlab::tuner {

// The negative log posterior of the hyper-parameters and its gradient, for fixed data (kept by
// reference: y must outlive the objective). Parameter vector theta: log length-scales (one per
// dim), log signal variance, log(noise variance - noise floor).
class MapObjective {
 public:
  MapObjective(const Points& X, const Eigen::VectorXd& y, const std::vector<bool>& categorical, double noise_floor);

  Eigen::Index parameters() const { return d_ + 2; }
  double ls_mode() const;  // the mode of the length-scales' log-normal prior, in log space

  // Returns the negative log posterior; fills grad when it is not empty.
  double operator()(const std::vector<double>& theta, std::vector<double>* grad) const;

 private:
  const Eigen::VectorXd& y_;
  double floor_;
  Eigen::Index d_;
  double ls_loc_ = 0;
  std::vector<Eigen::MatrixXd> sq_dist_;  // per dim: squared (or Hamming) distance
};

}  // namespace scxlab::tuner
