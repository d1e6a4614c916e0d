#include <cmath>

#include <boost/math/distributions/students_t.hpp>

#include "stats/inference.hpp"

namespace scxlab::stats {

double welch_t_p(std::span<const double> a, std::span<const double> b) {
  if (a.size() < 2 || b.size() < 2) return 1;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = sample_sd(a) * sample_sd(a) / na, vb = sample_sd(b) * sample_sd(b) / nb;
  const double difference = mean(a) - mean(b);
  if (va + vb == 0) return difference == 0 ? 1 : 0;
  const double t = difference / std::sqrt(va + vb);
  const double df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  const boost::math::students_t dist(df);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::abs(t))));
}

}  // namespace scxlab::stats
