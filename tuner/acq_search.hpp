// Maximising an acquisition over a mixed space (continuous, integer and categorical dims
// under linear constraints), as BoTorch's optimize_acqf_mixed / Optuna's optim_mixed do:
//   1. candidates: scrambled Sobol points (tuner/sobol.hpp) plus perturbations of the best
//      observed points ("anchors"), all on the grid and satisfying the constraints and the
//      space's rule (Encoding::feasible);
//   2. the best few candidates start local searches that alternate
//        - a continuous step over the continuous dims with integer and categorical dims held
//          (NLopt L-BFGS on the analytic gradient; SLSQP when a linear constraint involves
//          a continuous dim),
//        - discrete coordinate steps: every choice of a categorical dim, every level of an
//          integer dim with <= 16 levels, a doubling/halving line search on the grid of one
//          with more (integers are searched on their grid, never rounded from a continuous
//          optimum);
//      until a round improves nothing.
// Every point evaluated by the local search and every point returned satisfies the
// constraints. Deterministic for a seed.
#pragma once

#include <cstdint>

#include <Eigen/Dense>

#include "tuner/acquisition.hpp"
#include "tuner/encoding.hpp"

namespace scxlab::tuner {

struct SearchOptions {
  int sobol_points = 2000;
  int perturbations = 500;     // around the anchors
  int starts = 5;              // local searches from the best candidates
  int local_evaluations = 100; // NLopt evaluations per continuous step
  int rounds = 4;              // continuous/discrete alternations per local search
};

struct SearchResult {
  Eigen::VectorXd x;
  double value = 0;
};

// `anchors`: feasible grid points (rows) to perturb, usually the best observed ones.
// Throws std::runtime_error when no feasible candidate can be found (constraints too tight).
SearchResult maximize_acquisition(const Acquisition& acquisition, const Encoding& encoding, const Points& anchors,
                                  const SearchOptions& options, std::uint64_t seed);

}  // namespace scxlab::tuner
