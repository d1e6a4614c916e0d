#include <cmath>

#include "catch.hpp"
#include "reports/format.hpp"

using namespace scxlab;
using namespace scxlab::reports;

TEST_CASE("numbers print with about three significant digits and k/M/G beyond 10^4", "[reports][format]") {
  CHECK(format_number(0) == "0");
  CHECK(format_number(1.2345) == "1.23");
  CHECK(format_number(12.345) == "12.3");
  CHECK(format_number(123.45) == "123");
  CHECK(format_number(1234.6) == "1235");
  CHECK(format_number(12345) == "12.3k");
  CHECK(format_number(123456) == "123k");
  CHECK(format_number(4567890) == "4.57M");
  CHECK(format_number(2.5e9) == "2.50G");
  CHECK(format_number(0.012345) == "0.0123");
  CHECK(format_number(-3.456) == "-3.46");
  CHECK(format_number(2e-8) == "2e-08");
  CHECK(format_number(std::nan("")) == "n/a");
}

TEST_CASE("an interval gets the decimals that tell its bounds apart", "[reports][format]") {
  CHECK(format_estimate(1.2345, 1.20, 1.26) == FormattedEstimate{"1.23", "1.20", "1.26"});
  // A narrow interval: three significant digits would print [1.23, 1.23].
  const auto narrow = format_estimate(1.2345, 1.2331, 1.2362);
  CHECK(narrow == FormattedEstimate{"1.234", "1.233", "1.236"});
  // ... but never more than two decimals beyond the usual three significant digits.
  CHECK(format_estimate(1.2345, 1.23451, 1.23452).low == "1.2345");
  // The scale follows the largest of the three, so the bounds share the median's unit.
  CHECK(format_estimate(9950, 9800, 10100) == FormattedEstimate{"9.95k", "9.80k", "10.10k"});
  stats::Summary s;
  s.n = 10;
  s.median = 45.2;
  s.ci_low = 44.04;
  s.ci_high = 47.1;
  CHECK(format_estimate(s) == "45.2 [44.0, 47.1]");
}

TEST_CASE("changes, p-values and calls read the way a table needs them", "[reports][format]") {
  CHECK(format_change(0.969) == "-3.1%");
  CHECK(format_change(1.124) == "+12.4%");
  CHECK(format_change(3.5) == "+250%");
  CHECK(format_change(1.0) == "+0.0%");
  CHECK(format_p(0.0001) == "<0.001");
  CHECK(format_p(0.0342) == "0.034");
  CHECK(format_p(0.123) == "0.12");
  CHECK(format_p(1.0) == "1");
  CHECK(format_percent(0.0712) == "7.1%");
  CHECK(exact(0.1) == "0.1");
  CHECK(std::stod(exact(1.0 / 3)) == 1.0 / 3);

  stats::MetricResult m;
  m.direction = Direction::lower_is_better;
  CHECK(change_text(m, true) == "baseline");
  CHECK(change_text(m, false) == "not compared");
  m.vs_baseline = stats::Comparison{0.969, 0.95, 0.98, 0.001, 0.002, stats::Call::better, "", -0.06, -0.1, -0.04, ""};
  CHECK(change_text(m, false) == "-3.1% better");
  m.vs_baseline->call = stats::Call::no_difference;
  CHECK(change_text(m, false) == "no diff.");  // no number for an uncalled difference
  m.vs_baseline->call = stats::Call::inconclusive;
  CHECK(change_text(m, false) == "run more");
  m.vs_baseline = stats::Comparison{std::nan(""), std::nan(""), std::nan(""), 0.001, 0.002, stats::Call::worse, "",
                                    1.5, 0.5, 2.5, "the baseline's median is 0"};
  CHECK(change_text(m, false) == "+1.50 worse");  // no ratio: the difference of medians
  CHECK(comparison_text(*m.vs_baseline) ==
        "difference +1.50 [+0.50, +2.50] (no ratio: the baseline's median is 0), p=0.0020");
  m.direction = Direction::informational;
  CHECK(change_text(m, false).empty());
}

TEST_CASE("axis labels carry the decimals their step needs", "[reports][format]") {
  CHECK(format_tick(58, 2) == "58");
  CHECK(format_tick(60.5, 0.5) == "60.5");
  CHECK(format_tick(0.25, 0.05) == "0.25");
  CHECK(format_tick(80000, 5000) == "80k");
  CHECK(format_tick(82500, 2500) == "82.5k");
  CHECK(format_tick(1, 1) == "1");
  CHECK(format_tick(1000, 1000) == "1000");
  CHECK(format_tick(0.001, 0.001) == "0.001");
}

TEST_CASE("a single repetition shows no interval rather than a zero-width one", "[reports][format]") {
  stats::Summary one;
  one.n = 1;
  one.median = one.ci_low = one.ci_high = 18.7;
  CHECK(format_estimate(one) == "18.7 [n=1: no interval]");
  one.n = 2;
  CHECK(format_estimate(one) == "18.7 [18.7, 18.7]");
}
