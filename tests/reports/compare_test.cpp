// The compare's warning: said whatever the runs, and plain about another host, another kernel
// and a run that did not complete.
#include "catch.hpp"
#include "reports/compare.hpp"

using namespace scxlab;

namespace {

reports::CompareSide side(const std::string& name, const std::string& host, const std::string& kernel,
                          const std::string& status) {
  store::RunInfo run;
  run.host = {{"hostname", host}, {"kernel", kernel}};
  run.status = status;
  run.created_utc = "2026-12-01T10:00:00Z";
  run.scxlab_version = "0.1.0";
  return {name, "run of " + name, run};
}

bool says(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the compare warning names both runs and says when hosts or kernels differ", "[reports][compare]") {
  reports::CompareReport same;
  same.a = side("A", "box", "6.12.0", "complete");
  same.b = side("B", "box", "6.12.0", "complete");
  const auto plain = reports::drift_warnings(same);
  CHECK(says(plain, "not run interleaved in time"));
  CHECK(says(plain, "A: host box, kernel 6.12.0, 2026-12-01T10:00:00Z, scxlab 0.1.0"));
  CHECK_FALSE(says(plain, "differ"));
  CHECK_FALSE(says(plain, "not complete"));

  reports::CompareReport other;
  other.a = side("A", "box", "6.12.0", "complete");
  other.b = side("B", "rig", "6.13.1", "interrupted");
  const auto lines = reports::drift_warnings(other);
  CHECK(says(lines, "the hosts differ (A box, B rig)"));
  CHECK(says(lines, "the kernels differ (A 6.12.0, B 6.13.1)"));
  CHECK(says(lines, "run B is not complete (status interrupted)"));
  const auto text = reports::render_compare_terminal(other);
  CHECK(text.find("nothing to compare") < text.find("the kernels differ"));
}
