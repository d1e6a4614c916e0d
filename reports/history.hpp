// A metric's history over the runs of a store: per workload and scheduler label, one point per
// run (the median of its counted trials), oldest first, with the change points found in it.
// What `scxlab history --metric` prints and a gate's HTML report draws.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/changepoints.hpp"
#include "stats/metric.hpp"
#include "store/store.hpp"

namespace scxlab::reports {

struct HistoryQuery {
  std::string metric;     // required
  std::string scheduler;  // a configuration label; "" = every one
  std::string workload;   // a workload entry label; "" = every one
};

struct HistoryPoint {
  std::string run_uuid, created_utc, kind;  // kind: "gate", "shootout", ...
  double median = 0;
  std::size_t n = 0;  // counted trials behind the median
};

struct HistorySeries {
  std::string workload, scheduler, metric, unit;
  Direction direction = Direction::informational;
  std::vector<HistoryPoint> points;      // oldest first (by the run's creation time)
  std::vector<stats::ChangePoint> changes;  // indices into points
};

// Every series of the query's metric in the store, first-seen order of (workload, scheduler).
std::vector<HistorySeries> metric_history(const store::ResultsDb& db, const HistoryQuery& query);

// Fills each series' change points.
void find_changes(std::vector<HistorySeries>& series, const stats::ChangePointOptions& options);

// For `scxlab history --metric`: each series as a table, a change point marked on the run that
// introduced it with its size; "no change point" said when looked for and none found.
std::string render_history(const std::vector<HistorySeries>& series, bool changes_looked_for);
nlohmann::json history_to_json(const std::vector<HistorySeries>& series);

}  // namespace scxlab::reports
