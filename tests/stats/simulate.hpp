// Simulated repetitions for the statistics tests, drawn from stats::Rng with Box-Muller so a
// seed gives the same numbers with every standard library (std::normal_distribution does not).
#pragma once

#include <cmath>
#include <numbers>
#include <vector>

#include "stats/inference.hpp"

namespace scxlab::stats::test {

inline double standard_normal(Rng& rng) {
  const double u1 = 1 - rng.uniform();  // (0, 1]: log stays finite
  const double u2 = rng.uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

// n values from N(centre, (cv x centre)^2).
inline std::vector<double> normal_sample(Rng& rng, std::size_t n, double centre, double cv) {
  std::vector<double> xs(n);
  for (auto& x : xs) x = centre * (1 + cv * standard_normal(rng));
  return xs;
}

// n values from a log-normal with median exp(mu) and log-sd sigma.
inline std::vector<double> lognormal_sample(Rng& rng, std::size_t n, double mu, double sigma) {
  std::vector<double> xs(n);
  for (auto& x : xs) x = std::exp(mu + sigma * standard_normal(rng));
  return xs;
}

}  // namespace scxlab::stats::test
