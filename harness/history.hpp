// `scxlab history --metric M`: the metric over the runs of the results store, per workload and
// scheduler, and with --changes where it shifted (stats/changepoints.hpp).
#pragma once

#include "harness/commands.hpp"

namespace scxlab::harness {

int metric_history_command(const HistoryOptions& o);

}  // namespace scxlab::harness
