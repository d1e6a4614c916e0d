// The small commands: list, history, report, restore.
#pragma once

#include <string>
#include <vector>

#include "harness/results.hpp"

namespace scxlab::harness {

struct ListOptions {
  std::string what;  // schedulers | workloads | suites | metrics
  bool json = false;
  std::vector<std::string> manifest_dirs;
};
int list_command(const ListOptions& o);

struct HistoryOptions {
  std::vector<std::string> dirs;
  bool json = false;
  // With a metric: its series over the runs of the results store (harness/history.hpp).
  std::string metric, scheduler, workload;
  std::string store;
  bool changes = false;
  double max_p = 0.001;
};
int history_command(const HistoryOptions& o);

struct ReportOptions {
  std::string dir;
  bool json = false;
};
int report_command(const ReportOptions& o);

int restore_command();

// The analysis a stored run's plan asks for: its baseline, minimum effect, seed and each
// workload's headline metrics (a tune's: its validation).
AnalysisRequest request_from_plan(const store::RunInfo& run);

}  // namespace scxlab::harness
