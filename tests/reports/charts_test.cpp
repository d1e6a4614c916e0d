#include <cmath>
#include <limits>
#include <string>

#include "catch.hpp"
#include "reports/charts.hpp"

using namespace scxlab;
using namespace scxlab::reports;

namespace {

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

StripSeries series_of(const std::string& name, double value) {
  StripSeries s;
  s.scheduler = name;
  s.repetitions = {{value, 1}};
  return s;
}

}  // namespace

// A scheduler's statistics can hold values near 2^64 (a u64 sentinel) that differ by a few
// units of the last place: a tick step below the spacing of doubles never advanced, and the
// tick loop grew until std::bad_alloc ended a whole shootout in the VM lab.
TEST_CASE("a strip plot of huge values that differ in the last place has a few ticks, not an endless loop",
          "[reports][charts]") {
  const double huge = 18446744073709551615.0;
  const double next = std::nextafter(huge, std::numeric_limits<double>::infinity());
  const auto svg = strip_plot_svg({"huge", "a u64 counter", "count"}, {series_of("a", huge), series_of("b", next)});
  const int ticks = count_of(svg, "class=\"tick\"");
  CHECK(ticks >= 1);
  CHECK(ticks <= 12);
}

TEST_CASE("a history chart of huge values with a tiny spread has a few ticks", "[reports][charts]") {
  const double huge = 1e17;
  const std::vector<SeriesPoint> points{{huge, "run 1", false}, {huge + 16, "run 2", true}};
  const auto svg = series_plot_svg({"hist", "a counter", "count"}, points, {});
  const int ticks = count_of(svg, "class=\"tick\"");
  CHECK(ticks >= 1);
  CHECK(ticks <= 12);
}

TEST_CASE("ordinary values get nice ticks covering their range", "[reports][charts]") {
  const auto svg = strip_plot_svg({"plain", "time", "s"}, {series_of("a", 1.0), series_of("b", 2.0)});
  // A few ticks (a report has hundreds of strip plots), at nice steps: 1.0, 1.5, 2.0.
  CHECK(count_of(svg, "class=\"tick\"") == 3);
  CHECK_THAT(svg, Catch::Contains(">1.0<") && Catch::Contains(">1.5<") && Catch::Contains(">2.0<"));
}
