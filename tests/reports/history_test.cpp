// A metric's history over the runs of a real store: one point per run (the median of its
// counted trials), oldest first, and a planted step found at the run that introduced it.
#include <random>

#include <fmt/format.h>

#include "catch.hpp"
#include "process.hpp"
#include "reports/history.hpp"

using namespace scxlab;
using namespace scxlab::reports;

namespace {

// Adds a gate run created at minute `minute` with three trials of `value` (+-1%) for "cand" and
// one warm-up trial that must not count.
void add_run(store::ResultsDb& db, int minute, double value, std::mt19937_64& rng) {
  store::RunInfo run;
  run.kind = "gate";
  run.created_utc = fmt::format("2026-12-01T10:{:02}:00Z", minute);
  run.status = "complete";
  const auto id = db.create_run(run);
  std::normal_distribution<double> noise(0, 0.01);
  for (int i = 0; i < 4; ++i) {
    store::TrialRecord t;
    t.run_id = id;
    t.seq = i;
    t.kind = i == 0 ? store::TrialKind::warmup : store::TrialKind::measure;
    t.scheduler = "cand";
    t.workload = "messaging";
    t.status = store::TrialStatus::ok;
    const double v = i == 0 ? 1000 : value * (1 + noise(rng));
    t.metrics.push_back({"time_s", v, "s", Direction::lower_is_better, "workload"});
    t.metrics.push_back({"other", 1, "s", Direction::lower_is_better, "workload"});
    db.add_trial(t);
  }
}

}  // namespace

TEST_CASE("a metric's history over stored runs finds a planted step at the run that introduced it", "[history]") {
  const auto dir = test::fresh_temp_dir("history");
  store::ResultsDb db((dir / "store.db").string());
  std::mt19937_64 rng(7);
  // Created out of order: the series is sorted by creation time.
  for (int minute = 19; minute >= 0; --minute) add_run(db, minute, minute < 12 ? 2.0 : 2.4, rng);

  auto series = metric_history(db, {"time_s", "", ""});
  REQUIRE(series.size() == 1);
  const auto& s = series[0];
  CHECK(s.workload == "messaging");
  CHECK(s.scheduler == "cand");
  REQUIRE(s.points.size() == 20);
  CHECK(s.points.front().created_utc == "2026-12-01T10:00:00Z");
  CHECK(s.points.front().n == 3);  // the warm-up does not count
  CHECK(s.points.front().median == Approx(2.0).epsilon(0.05));

  find_changes(series, {});
  REQUIRE(series[0].changes.size() == 1);
  const auto& c = series[0].changes[0];
  CHECK(c.index == 12);
  CHECK(c.change == Approx(0.2).margin(0.03));
  const auto text = render_history(series, true);
  CHECK_THAT(text, Catch::Contains("<- change: +"));
  CHECK_THAT(text, Catch::Contains("worse"));
  CHECK(history_to_json(series)[0]["changes"].size() == 1);

  CHECK(metric_history(db, {"time_s", "other-scheduler", ""}).empty());
}
