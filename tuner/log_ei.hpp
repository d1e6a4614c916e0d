// Numerically stable pieces of log expected improvement (Ament et al., "Unexpected
// Improvements to Expected Improvement for Bayesian Optimization", NeurIPS 2023):
// EI(x) = sigma * h(z), h(z) = phi(z) + z Phi(z), z = (best - mean) / sigma (minimising), and
// log h evaluated without cancellation or underflow for any finite z, so the acquisition
// keeps a useful gradient far from the incumbent where plain EI is exactly 0.
#pragma once

namespace scxlab::tuner {

// exp(x^2) erfc(x) for x >= 0 (the scaled complementary error function).
double erfcx(double x);
// log Phi(z), the log of the standard normal CDF, accurate for very negative z.
double log_ndtr(double z);
// log(phi(z) + z Phi(z)).
double log_h(double z);
// d/dz log h(z) = Phi(z) / h(z).
double log_h_slope(double z);

}  // namespace scxlab::tuner
