// The small commands: list, history, report, restore.
#pragma once

#include <string>
#include <vector>

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
};
int history_command(const HistoryOptions& o);

struct ReportOptions {
  std::string dir;
  bool json = false;
};
int report_command(const ReportOptions& o);

int restore_command();

}  // namespace scxlab::harness
