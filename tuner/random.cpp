#include "tuner/random.hpp"

#include <cmath>
#include <numbers>

namespace scxlab::tuner {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double standard_normal(stats::Rng& rng) {
  const double u1 = 1 - rng.uniform();  // (0, 1]
  const double u2 = rng.uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

}  // namespace scxlab::tuner
