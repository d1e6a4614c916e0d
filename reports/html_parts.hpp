// Inside the reports library only: the pieces every HTML page of a report shares (the page
// around the content, the facts list, warnings, the per-workload results, trials, host),
// so the shootout report (html.cpp) and the tune report (tune_html.cpp) are one design.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reports/model.hpp"

namespace scxlab::reports {

// A tune's run with its stored outcome: rendered by render_tune_html, not as a shootout.
bool is_tune_report(const ReportInput& in);
std::string render_tune_html(const ReportInput& in);

namespace html_detail {

// One colour per scheduler for the whole report, in first-seen order.
class Colors {
 public:
  explicit Colors(const ReportInput& input) {
    for (const auto& w : input.analysis.workloads) {
      for (const auto& s : w.schedulers) add(s.scheduler);
    }
    for (const auto& t : input.trials) add(t.scheduler);
  }
  int of(const std::string& scheduler) const {
    const auto it = std::find(order_.begin(), order_.end(), scheduler);
    return static_cast<int>(it - order_.begin());
  }

 private:
  void add(const std::string& s) {
    if (std::find(order_.begin(), order_.end(), s) == order_.end()) order_.push_back(s);
  }
  std::vector<std::string> order_;
};

std::string esc(const std::string& s);
std::string anchor(const std::string& prefix, std::size_t index, const std::string& label);
std::string facts(const std::vector<std::pair<std::string, std::string>>& rows);
std::string host_summary(const nlohmann::json& host);
std::string list_items(const std::vector<std::string>& items);

// <!DOCTYPE ...><body> with the CSS inline; then the footer, the embedded data, the script.
std::string page_open(const ReportInput& in);
std::string page_close(const ReportInput& in);

std::string warnings_section(const ReportInput& in);
// One workload of the analysis: results table, every metric, every repetition, latency
// distributions, metrics the host could not give.
std::string workload_section(const ReportInput& in, std::size_t index, const Colors& colors);
std::string trials_section(const ReportInput& in);
std::string host_section(const ReportInput& in);

}  // namespace html_detail
}  // namespace scxlab::reports
