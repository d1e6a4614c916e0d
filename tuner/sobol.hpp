// Scrambled Sobol points in [0, 1)^d for space-filling designs and acquisition candidates.
// The sequence is Boost.Random's `sobol` engine (Joe & Kuo's new-joe-kuo-6.21201 direction
// numbers, up to 3667 dimensions); the scrambling is a random digital shift (each coordinate
// XOR-ed with a seed-derived 64-bit word), which keeps the sequence's stratification while
// giving each seed its own design. Only the shift is written here.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <Eigen/Dense>

namespace scxlab::tuner {

class SobolSequence {
 public:
  SobolSequence(std::size_t dims, std::uint64_t seed);
  ~SobolSequence();
  SobolSequence(SobolSequence&&) noexcept;
  SobolSequence& operator=(SobolSequence&&) noexcept;

  std::size_t dims() const { return shift_.size(); }
  // Writes the next point into `out` (dims() values).
  void next(std::span<double> out);
  // The next n points, one per row.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> draw(std::size_t n);

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
  std::vector<std::uint64_t> shift_;
};

}  // namespace scxlab::tuner
