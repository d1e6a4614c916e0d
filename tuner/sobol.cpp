#include "tuner/sobol.hpp"

#include <boost/random/sobol.hpp>

#include "stats/inference.hpp"

namespace scxlab::tuner {

struct SobolSequence::Engine {
  explicit Engine(std::size_t dims) : sobol(static_cast<unsigned>(dims)) {}
  boost::random::sobol_engine<std::uint64_t, 64> sobol;
};

SobolSequence::SobolSequence(std::size_t dims, std::uint64_t seed) : engine_(std::make_unique<Engine>(dims)) {
  stats::Rng rng(seed ^ 0x5b0b01ULL);
  for (std::size_t i = 0; i < dims; ++i) shift_.push_back(rng.next());
}

SobolSequence::~SobolSequence() = default;
SobolSequence::SobolSequence(SobolSequence&&) noexcept = default;
SobolSequence& SobolSequence::operator=(SobolSequence&&) noexcept = default;

void SobolSequence::next(std::span<double> out) {
  constexpr double kTwoToMinus64 = 0x1p-64;
  for (std::size_t i = 0; i < shift_.size(); ++i) {
    const std::uint64_t bits = engine_->sobol() ^ shift_[i];
    // Keep the top 53 bits so the result is strictly below 1.
    out[i] = static_cast<double>(bits >> 11) * (kTwoToMinus64 * 2048.0);
  }
}

Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> SobolSequence::draw(std::size_t n) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> points(static_cast<Eigen::Index>(n),
                                                                                 static_cast<Eigen::Index>(dims()));
  for (Eigen::Index r = 0; r < points.rows(); ++r) next({points.row(r).data(), dims()});
  return points;
}

}  // namespace scxlab::tuner
