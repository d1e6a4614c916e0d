// Deterministic randomness for the tuner: every draw comes from stats::Rng (xoshiro256**,
// identical on every platform) seeded from the user's seed and a purpose, so the same
// observations and seed always give the same proposals.
#pragma once

#include <cstdint>

#include "stats/inference.hpp"

namespace scxlab::tuner {

// Combines a seed with a stream number (splitmix64 finaliser of their mix).
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream);

// Standard normal draw (Box-Muller on two uniforms).
double standard_normal(stats::Rng& rng);

}  // namespace scxlab::tuner
