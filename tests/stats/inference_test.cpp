#include <cmath>
#include <random>
#include <vector>

#include "catch.hpp"
#include "stats/inference.hpp"

using namespace scxlab::stats;

// References from SciPy 1.10 (Debian 12 python3-scipy):
//   /usr/bin/python3 -c 'from scipy.stats import mannwhitneyu; print(mannwhitneyu(A, B,
//       alternative="two-sided", method="exact").pvalue)'      (exact cases)
//   ... method="asymptotic", use_continuity=True                 (ties and large samples)
TEST_CASE("Mann-Whitney U p-values match SciPy", "[mwu]") {
  SECTION("exact, complete separation") {
    const std::vector<double> a{1.1, 2.2, 3.3, 4.4, 5.5}, b{6.1, 7.2, 8.3, 9.4, 10.5};
    CHECK(mann_whitney_p(a, b) == Approx(0.007936507936507936).epsilon(1e-12));
    CHECK(mann_whitney_min_p(5, 5) == Approx(0.007936507936507936).epsilon(1e-9));
  }
  SECTION("exact, interleaved, unequal sizes") {
    const std::vector<double> a{1, 3, 5, 7, 9, 11}, b{2, 4, 6.5, 8.5, 10.5, 12.5, 14.5};
    CHECK(mann_whitney_p(a, b) == Approx(0.4452214452214452).epsilon(1e-12));
  }
  SECTION("ties: normal approximation with tie and continuity correction") {
    const std::vector<double> a{1, 2, 2, 3, 4, 4, 5}, b{3, 4, 4, 5, 6, 6, 7, 8};
    CHECK(mann_whitney_p(a, b) == Approx(0.02228731901455301).epsilon(1e-9));
  }
  SECTION("large samples: normal approximation") {
    std::vector<double> a, b;
    for (int i = 0; i < 30; ++i) a.push_back(i * 1.01);
    for (int i = 0; i < 35; ++i) b.push_back(i * 1.01 + 3.3);
    CHECK(mann_whitney_p(a, b) == Approx(0.022424927237178337).epsilon(1e-9));
  }
  SECTION("identical constant samples give p = 1") {
    const std::vector<double> a(6, 3.0), b(6, 3.0);
    CHECK(mann_whitney_p(a, b) == 1.0);
  }
}

TEST_CASE("Holm adjusts in input order against a worked example", "[holm]") {
  // p sorted: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06, monotone), 0.04 (x1 = 0.06)
  const std::vector<double> p{0.03, 0.01, 0.04, 0.02};
  const auto adj = holm_adjust(p);
  CHECK(adj[1] == Approx(0.04));
  CHECK(adj[3] == Approx(0.06));
  CHECK(adj[0] == Approx(0.06));
  CHECK(adj[2] == Approx(0.06));
  const std::vector<double> big{0.5, 0.9};
  CHECK(holm_adjust(big)[1] == Approx(1.0));
}

TEST_CASE("quantiles follow R type 7", "[descriptive]") {
  const std::vector<double> v{4, 1, 3, 2};
  CHECK(median(v) == Approx(2.5));
  CHECK(quantile(v, 0.25) == Approx(1.75));
  CHECK(quantile(v, 1.0) == 4);
  CHECK(sample_sd(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9}) == Approx(2.138089935));
}

TEST_CASE("the bootstrap interval of the median covers the truth near the nominal rate", "[bootstrap]") {
  std::mt19937_64 gen(7);
  for (const int n : {10, 30}) {
    for (const bool lognormal : {false, true}) {
      int covered = 0;
      constexpr int kSims = 600;
      Rng rng(static_cast<std::uint64_t>(n) * 31 + lognormal);
      for (int s = 0; s < kSims; ++s) {
        std::vector<double> xs(static_cast<std::size_t>(n));
        std::normal_distribution<double> normal(0, 1);
        for (auto& x : xs) x = lognormal ? std::exp(0.5 * normal(gen)) : 100 + 3 * normal(gen);
        const double truth = lognormal ? 1.0 : 100.0;  // the medians of the two distributions
        const auto ci = bootstrap_median_interval(xs, 1000, 0.95, rng);
        covered += ci.low <= truth && truth <= ci.high;
      }
      const double coverage = static_cast<double>(covered) / kSims;
      INFO("n=" << n << " lognormal=" << lognormal << " coverage=" << coverage);
      CHECK(coverage > 0.90);
      CHECK(coverage < 0.995);
    }
  }
}

TEST_CASE("the generator is deterministic for a seed", "[bootstrap]") {
  Rng a(5), b(5), c(6);
  CHECK(a.next() == b.next());
  CHECK(a.next() != c.next());
  for (int i = 0; i < 1000; ++i) CHECK(a.below(7) < 7);
}
