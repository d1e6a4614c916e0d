#include "harness/history.hpp"

#include <iostream>

#include <fmt/format.h>

#include "harness/results_store.hpp"
#include "harness/errors.hpp"
#include "reports/history.hpp"

namespace scxlab::harness {

int metric_history_command(const HistoryOptions& o) {
  if (!o.dirs.empty()) {
    throw UsageError("--metric reads the results store (--store PATH), not run directories: leave the directories out");
  }
  if (!(o.max_p > 0 && o.max_p < 1)) {
    throw UsageError(fmt::format("--max-p {}: must be between 0 and 1, e.g. 0.001", o.max_p));
  }
  const auto store = open_store(o.store.empty() ? kDefaultStore : o.store, false);
  auto series = reports::metric_history(store, {o.metric, o.scheduler, o.workload});
  if (series.empty()) {
    throw UsageError(fmt::format("no stored run measured {}{}{} in {} (see: scxlab list workloads for metric names)",
                                 o.metric, o.scheduler.empty() ? "" : " on scheduler " + o.scheduler,
                                 o.workload.empty() ? "" : " in workload " + o.workload, store.path()));
  }
  if (o.changes) {
    stats::ChangePointOptions options;
    options.max_p = o.max_p;
    reports::find_changes(series, options);
  }
  if (o.json) std::cout << reports::history_to_json(series).dump(2) << "\n";
  else std::cout << reports::render_history(series, o.changes);
  return kExitOk;
}

}  // namespace scxlab::harness
