#include <cmath>
#include <vector>

#include "catch.hpp"
#include "simulate.hpp"
#include "stats/inference.hpp"

using namespace scxlab::stats;

namespace {

// (i * mult mod 1000) / 10 + offset for i = 1..n: distinct values, the same formula as
// tests/stats/mwu_reference.py.
std::vector<double> formula(int n, int mult, double offset) {
  std::vector<double> xs;
  for (int i = 1; i <= n; ++i) xs.push_back(static_cast<double>(i * mult % 1000) / 10 + offset);
  return xs;
}

}  // namespace

// References: SciPy 1.10.1 (Debian 12 python3-scipy), scipy.stats.mannwhitneyu two-sided,
// method "exact" or "asymptotic" (continuity and tie corrections), printed by
//   /usr/bin/python3 tests/stats/mwu_reference.py
TEST_CASE("Mann-Whitney U p-values match SciPy", "[mwu]") {
  SECTION("exact, complete separation, 5 v 5") {
    const std::vector<double> a{1.1, 2.2, 3.3, 4.4, 5.5}, b{6.1, 7.2, 8.3, 9.4, 10.5};
    CHECK(mann_whitney_p(a, b) == Approx(0.007936507936507936).epsilon(1e-12));
    CHECK(mann_whitney_p(b, a) == Approx(0.007936507936507936).epsilon(1e-12));
  }
  SECTION("exact, interleaved, 6 v 7") {
    const std::vector<double> a{1, 3, 5, 7, 9, 11}, b{2, 4, 6.5, 8.5, 10.5, 12.5, 14.5};
    CHECK(mann_whitney_p(a, b) == Approx(0.4452214452214452).epsilon(1e-12));
  }
  SECTION("exact, unequal sizes, 3 v 12") {
    const std::vector<double> a{10.5, 3.3, 7.7};
    CHECK(mann_whitney_p(a, formula(12, 379, 0.05)) == Approx(0.03076923076923077).epsilon(1e-12));
  }
  SECTION("exact at the switch-over size, 25 v 25 (the normal approximation gives 0.10314)") {
    CHECK(mann_whitney_p(formula(25, 379, 0), formula(25, 617, 12.05)) == Approx(0.1035049304988104).epsilon(1e-9));
  }
  SECTION("ties: normal approximation with tie and continuity correction, 7 v 8") {
    const std::vector<double> a{1, 2, 2, 3, 4, 4, 5}, b{3, 4, 4, 5, 6, 6, 7, 8};
    CHECK(mann_whitney_p(a, b) == Approx(0.02228731901455301).epsilon(1e-9));
  }
  SECTION("ties: integer counts, 12 v 15") {
    const std::vector<double> a{3, 5, 5, 6, 7, 7, 7, 8, 9, 9, 10, 12};
    const std::vector<double> b{5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 13, 13, 14};
    CHECK(mann_whitney_p(a, b) == Approx(0.030859875310043867).epsilon(1e-9));
  }
  SECTION("large samples, normal approximation, 30 v 35") {
    std::vector<double> a, b;
    for (int i = 0; i < 30; ++i) a.push_back(i * 1.01);
    for (int i = 0; i < 35; ++i) b.push_back(i * 1.01 + 3.3);
    CHECK(mann_whitney_p(a, b) == Approx(0.022424927237178337).epsilon(1e-9));
  }
  SECTION("just past the switch-over, 26 v 26, normal approximation") {
    CHECK(mann_whitney_p(formula(26, 379, 0), formula(26, 617, 12.05)) == Approx(0.20997595989836026).epsilon(1e-9));
  }
  SECTION("identical constant samples give p = 1; an empty sample gives 1") {
    const std::vector<double> a(6, 3.0), b(6, 3.0), none;
    CHECK(mann_whitney_p(a, b) == 1.0);
    CHECK(mann_whitney_p(a, none) == 1.0);
  }
}

TEST_CASE("the smallest reachable p-value and the repetitions it takes", "[mwu]") {
  CHECK(mann_whitney_min_p(5, 5) == Approx(2.0 / 252));
  CHECK(mann_whitney_min_p(3, 3) == Approx(0.1));
  CHECK(mann_whitney_min_p(1, 1) == 1.0);
  // 2 / C(2n, n) x family < 0.05: n = 4 for 1 metric (0.029), 5 for 2..6, 6 for 7..23, 7 for 24.
  CHECK(min_repetitions_for_significance(0.05, 1) == 4);
  CHECK(min_repetitions_for_significance(0.05, 2) == 5);
  CHECK(min_repetitions_for_significance(0.05, 6) == 5);
  CHECK(min_repetitions_for_significance(0.05, 7) == 6);
  CHECK(min_repetitions_for_significance(0.05, 23) == 6);
  CHECK(min_repetitions_for_significance(0.05, 24) == 7);
  CHECK_THROWS_AS(min_repetitions_for_significance(0.0, 1), std::invalid_argument);
}

TEST_CASE("Holm adjusts in input order against a worked example", "[holm]") {
  // m = 5. Sorted: 0.005 x 5 = 0.025; 0.01 x 4 = 0.04; 0.03 x 3 = 0.09; 0.04 x 2 = 0.08, raised
  // to 0.09 to stay monotone; 0.20 x 1 = 0.20. At alpha 0.05 Holm rejects the first two and
  // stops at 0.03 (Bonferroni would reject only 0.005).
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005, 0.20};
  const auto adj = holm_adjust(p);
  REQUIRE(adj.size() == 5);
  CHECK(adj[0] == Approx(0.04));
  CHECK(adj[1] == Approx(0.09));
  CHECK(adj[2] == Approx(0.09));
  CHECK(adj[3] == Approx(0.025));
  CHECK(adj[4] == Approx(0.20));
  CHECK(holm_adjust(std::vector<double>{0.5, 0.9})[0] == Approx(1.0));  // capped at 1
  CHECK(holm_adjust(std::vector<double>{}).empty());
}

TEST_CASE("descriptive statistics", "[descriptive]") {
  // NumPy's default quantile is type 7: numpy.quantile([4,1,3,2], [0.25, 0.5, 0.9]) = 1.75 2.5 3.7
  const std::vector<double> v{4, 1, 3, 2};
  CHECK(median(v) == Approx(2.5));
  CHECK(quantile(v, 0.25) == Approx(1.75));
  CHECK(quantile(v, 0.9) == Approx(3.7));
  CHECK(quantile(v, 1.0) == 4);
  CHECK(median(std::vector<double>{5, 1, 3}) == 3);
  CHECK(mean(v) == Approx(2.5));
  CHECK(sample_sd(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9}) == Approx(2.138089935));
  CHECK(sample_sd(std::vector<double>{7}) == 0);
}

// Coverage of the percentile bootstrap interval of the median, 1000 simulated samples per case.
// Measured with these seeds: normal n=10 0.945, n=30 0.941; log-normal n=10 0.927, n=30 0.951.
TEST_CASE("the bootstrap interval of the median covers the truth near the nominal rate", "[bootstrap]") {
  for (const std::size_t n : {10u, 30u}) {
    for (const bool lognormal : {false, true}) {
      Rng data(20261124 + n + lognormal), resampling(7 * n + lognormal);
      constexpr int kSims = 1000;
      int covered = 0;
      for (int s = 0; s < kSims; ++s) {
        // The true medians: 100 for N(100, 3^2), 1 for exp(N(0, 0.5^2)).
        const auto xs = lognormal ? test::lognormal_sample(data, n, 0, 0.5) : test::normal_sample(data, n, 100, 0.03);
        const double truth = lognormal ? 1.0 : 100.0;
        const auto ci = bootstrap_median_interval(xs, 2000, 0.95, resampling);
        covered += ci.low <= truth && truth <= ci.high;
      }
      const double coverage = static_cast<double>(covered) / kSims;
      WARN("bootstrap median interval, n=" << n << (lognormal ? " log-normal" : " normal") << ": coverage "
                                           << coverage);
      CHECK(coverage >= 0.91);  // binomial sd at 0.94 is 0.0075; the method runs ~1% under nominal
      CHECK(coverage <= 0.98);
    }
  }
}

TEST_CASE("bootstrap intervals are deterministic for a seed and bracket the estimate", "[bootstrap]") {
  const std::vector<double> base{10.1, 9.8, 10.3, 10.0, 9.9, 10.2, 10.4, 9.7};
  const std::vector<double> cand{11.0, 11.3, 10.9, 11.1, 11.4, 10.8, 11.2, 11.05};
  Rng r1(42), r2(42);
  const auto a = bootstrap_ratio_interval(base, cand, 2000, 0.95, r1);
  const auto b = bootstrap_ratio_interval(base, cand, 2000, 0.95, r2);
  CHECK(a.low == b.low);
  CHECK(a.high == b.high);
  const double ratio = median(cand) / median(base);
  CHECK(a.low < ratio);
  CHECK(ratio < a.high);
  Rng r3(1);
  const auto m = bootstrap_median_interval(base, 2000, 0.95, r3);
  CHECK(m.low >= 9.7);
  CHECK(m.high <= 10.4);
  CHECK(m.low < median(base));
  CHECK(median(base) < m.high);
}

TEST_CASE("the generator is deterministic for a seed and stays in range", "[bootstrap]") {
  Rng a(5), b(5), c(6);
  const auto first = a.next();
  CHECK(first == b.next());
  CHECK(first != c.next());
  int hits[7] = {};
  for (int i = 0; i < 7000; ++i) {
    const auto k = a.below(7);
    REQUIRE(k < 7);
    ++hits[k];
  }
  for (int h : hits) CHECK(h > 800);  // ~1000 each
  for (int i = 0; i < 1000; ++i) {
    const double u = a.uniform();
    REQUIRE(u >= 0);
    REQUIRE(u < 1);
  }
}
