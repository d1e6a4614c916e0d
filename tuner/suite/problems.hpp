// The tuner's benchmark suite S1-S9 (docs/tuner-protocol.md): test
// functions on the unit cube as tuner Spaces, the noise they are observed with, their optima,
// and the regret of a recommended configuration.
//
//   S1 Branin (d 2, budget 50)         S2 Hartmann-3 (3, 50)      S3 Hartmann-6 (6, 100)
//   S4 Hartmann-6 + 6 inert knobs (12, 100)
//   S5 Hartmann-6 with x3..x5 integer knobs of 11 levels (0, 0.1, ..., 1), a 4-way category
//      c and a boolean b (8, 100):   f = w[c] * H6(x) + 0.3 [b false],  w = (1, 0.8, 0.6, 0.9)
//   S6 Levy-4 and Ackley-5 (100)      S7 Rosenbrock-4 on [-5, 10], objective log(1 + f) (100)
//   S8 Hartmann-6, min f s.t. sum(x) <= 3 (a black-box outcome constraint), noise SE 0.25 (70)
//   S9 scheduler-like (60): S5 as log-latency: latency = exp(0.1 f5(x)) x LogNormal(0, 0.03)
//      x 2 with probability 1% (outliers), modelled on a log scale; throughput ratio
//      tp = 1 - 0.25 max(0, x2 - 0.3) - 0.04 [c = 0], observed with 1% CoV, must be >= 0.95.
//      Regret in f5 units (log-latency / 0.1).
// Additive noise cells: sigma x the std of f over the space (Hartmann, S4, S5), or x the
// robust scale (median f - f*) for Branin, Levy, Ackley (the protocol's choice for heavy
// tailed f). Regret of an infeasible recommendation: f_worst - f* (f_worst: the largest f
// seen on 4096 Sobol points).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stats/inference.hpp"
#include "tuner/optimizer.hpp"
#include "tuner/space.hpp"

namespace scxlab::tuner::suite {

struct Problem {
  std::string id;    // "S3"
  std::string name;  // "Hartmann-6"
  Space space;
  std::size_t budget = 100;
  Objective objective;  // what the tuner is told (S9: log scale)
  std::vector<OutcomeConstraint> constraints;
  // Noise-free objective in regret units, and noise-free constraint values.
  std::function<double(const Config&)> f;
  std::function<std::vector<double>(const Config&)> g;
  // One noisy evaluation at additive noise sd `noise_sd` (problems with their own noise
  // model ignore it).
  std::function<Outcome(const Config&, double noise_sd, stats::Rng&)> observe;
  double f_star = 0, f_worst = 0;
  double noise_scale = 1;  // sd of f over the space, or the robust scale
  bool robust_noise = false;
};

struct Cell {
  std::string label;  // "S3 sigma0.1"
  const Problem* problem = nullptr;
  double sigma = 0;   // multiple of noise_scale (additive-noise cells)
};

// Every problem of the suite (computes the mixed problems' optima: about a second).
std::vector<Problem> problems();
// The cells of the full suite over `problems` (which must outlive them).
std::vector<Cell> cells(const std::vector<Problem>& problems);

// True constraint feasibility and regret of a recommended configuration.
bool feasible(const Problem& p, const Config& c);
double regret(const Problem& p, const Config& c);

}  // namespace scxlab::tuner::suite
