#include "reports/compare.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reports/format.hpp"
#include "reports/text_parts.hpp"

namespace scxlab::reports {
namespace {
using namespace text_detail;

constexpr std::string_view kSuffixB = " @B";

std::string host_value(const store::RunInfo& run, const char* key) {
  return run.host.is_object() && run.host.contains(key) && run.host[key].is_string() ? run.host[key].get<std::string>()
                                                                                     : "unknown";
}

std::string side_text(const CompareSide& s) {
  return fmt::format("{}: host {}, kernel {}, {}, scxlab {} ({})", s.name, host_value(s.run, "hostname"),
                     host_value(s.run, "kernel"), s.run.created_utc, s.run.scxlab_version, s.source);
}

// One side's counted metrics of `scheduler` on `w`, or none.
const stats::SchedulerResult* side_of(const stats::WorkloadAnalysis& w, const std::string& label) {
  const auto it = std::find_if(w.schedulers.begin(), w.schedulers.end(),
                               [&](const stats::SchedulerResult& s) { return s.scheduler == label; });
  return it == w.schedulers.end() ? nullptr : &*it;
}

void add_rows(std::vector<CompareRow>& out, const stats::WorkloadAnalysis& w, const stats::SchedulerResult& b,
              const std::string& scheduler) {
  const auto* a = side_of(w, side_label(scheduler, "A"));
  if (!a) return;
  const auto first = out.size();
  for (const auto& m : b.metrics) {
    const auto* am = find_metric(*a, m.metric);
    if (!am || !m.vs_baseline || m.direction == Direction::informational) continue;
    out.push_back({w.workload, scheduler, m.metric, m.unit, m.headline, am->summary, m.summary, *m.vs_baseline});
  }
  std::stable_partition(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                        [](const CompareRow& r) { return r.headline; });
}

// A table with a header row, columns padded to their widest cell; `paint` colours the
// change and call columns of a called row.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<const stats::Comparison*> called;
};

std::string render_table(const TextTable& t, const Painter& paint) {
  std::vector<std::size_t> widths(t.header.size());
  for (std::size_t c = 0; c < widths.size(); ++c) {
    widths[c] = t.header[c].size();
    for (const auto& r : t.rows) widths[c] = std::max(widths[c], r[c].size());
  }
  const auto line = [&](const std::vector<std::string>& cells, const stats::Comparison* comparison) {
    std::string text;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const auto cell = pad(cells[c], widths[c]);
      text += "  " + (c + 2 >= cells.size() ? paint.change(cell, comparison) : cell);
    }
    return trim_right(text) + "\n";
  };
  std::string out = line(t.header, nullptr);
  for (std::size_t i = 0; i < t.rows.size(); ++i) out += line(t.rows[i], t.called[i]);
  return out;
}

std::string median_text(const stats::Summary& s, const std::string& unit) {
  return format_number(s.median) + (unit.empty() ? "" : " " + unit);
}

void render_workload(std::string& out, const std::string& workload, const std::vector<CompareRow>& rows,
                     const Painter& paint) {
  TextTable table{{"scheduler", "metric", "A median", "B median", "change [95% interval]", "call"}, {}, {}};
  int hidden = 0;
  for (const auto& r : rows) {
    if (r.workload != workload) continue;
    if (!r.headline && !is_called(r.comparison.call)) {
      ++hidden;
      continue;
    }
    table.rows.push_back({r.scheduler, r.metric, median_text(r.a, r.unit), median_text(r.b, r.unit),
                          change_with_interval(r.comparison), short_call(r.comparison.call)});
    table.called.push_back(&r.comparison);
  }
  out += "\n" + paint.bold(workload) + "  (B against A; change = B / A - 1)\n" + render_table(table, paint);
  if (hidden > 0) {
    out += fmt::format("  + {} other metric{} without a call: every one in --json and the HTML report (-o)\n", hidden,
                       hidden == 1 ? "" : "s");
  }
}

CallCounts count_calls(const std::vector<CompareRow>& rows) {
  CallCounts c;
  for (const auto& r : rows) {
    if (!r.headline) continue;
    switch (r.comparison.call) {
      case stats::Call::better: ++c.better; break;
      case stats::Call::worse: ++c.worse; break;
      case stats::Call::no_difference: ++c.no_difference; break;
      case stats::Call::inconclusive: ++c.inconclusive; break;
    }
  }
  return c;
}

std::vector<std::string> workloads_of(const CompareReport& report) {
  std::vector<std::string> out;
  for (const auto& w : report.input.analysis.workloads) out.push_back(w.workload);
  return out;
}

nlohmann::json summary_json(const stats::Summary& s) {
  return {{"n", s.n}, {"median", s.median}, {"ci_low", s.ci_low}, {"ci_high", s.ci_high}};
}

// NaN is no number a reader can use: null instead.
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json row_json(const CompareRow& r) {
  const auto& c = r.comparison;
  const bool ratio = c.no_ratio.empty() && std::isfinite(c.ratio);
  return {{"workload", r.workload}, {"scheduler", r.scheduler}, {"metric", r.metric}, {"unit", r.unit},
          {"headline", r.headline}, {"a", summary_json(r.a)}, {"b", summary_json(r.b)},
          {"change", ratio ? number_or_null(c.ratio - 1) : nullptr},
          {"change_low", ratio ? number_or_null(c.ratio_ci_low - 1) : nullptr},
          {"change_high", ratio ? number_or_null(c.ratio_ci_high - 1) : nullptr},
          {"difference", number_or_null(c.difference)}, {"no_ratio", c.no_ratio},
          {"p_adjusted", number_or_null(c.p_adjusted)}, {"call", short_call(c.call)},
          {"call_text", std::string(stats::to_string(c.call))}, {"reason", c.reason}};
}

nlohmann::json side_json(const CompareSide& s) {
  return {{"source", s.source}, {"run", s.run.uuid}, {"status", s.run.status}, {"created_utc", s.run.created_utc},
          {"scxlab_version", s.run.scxlab_version}, {"hostname", host_value(s.run, "hostname")},
          {"kernel", host_value(s.run, "kernel")}};
}

}  // namespace

std::string side_label(const std::string& scheduler, const std::string& side) { return scheduler + " @" + side; }

std::vector<CompareRow> compare_rows(const CompareReport& report) {
  std::vector<CompareRow> out;
  for (const auto& w : report.input.analysis.workloads) {
    for (const auto& s : w.schedulers) {
      if (!s.scheduler.ends_with(kSuffixB)) continue;
      add_rows(out, w, s, s.scheduler.substr(0, s.scheduler.size() - kSuffixB.size()));
    }
  }
  return out;
}

std::string only_in_text(const CompareCell& cell) {
  return fmt::format("only in {}: {} x {}", cell.side, cell.scheduler, cell.workload);
}

std::vector<std::string> drift_warnings(const CompareReport& report) {
  const auto& a = report.a.run;
  const auto& b = report.b.run;
  std::vector<std::string> out{
      "A and B were not run interleaved in time: drift between them (thermal state, firmware, background load, "
      "another kernel) is not covered by the intervals, so a call may be the machine's change, not the scheduler's",
      side_text(report.a), side_text(report.b)};
  const auto differ = [&](const char* key, const std::string& what) {
    if (host_value(a, key) == host_value(b, key)) return;
    out.push_back(fmt::format("the {} differ (A {}, B {}): every change below includes that difference", what,
                              host_value(a, key), host_value(b, key)));
  };
  differ("hostname", "hosts");
  differ("kernel", "kernels");
  for (const auto* side : {&report.a, &report.b}) {
    if (side->run.status != "complete") {
      out.push_back(fmt::format("run {} is not complete (status {}): it is compared on the trials it finished",
                                side->name, side->run.status));
    }
  }
  return out;
}

std::string render_compare_terminal(const CompareReport& report, const TerminalOptions& options) {
  const Painter paint(options.color);
  const auto rows = compare_rows(report);
  const auto calls = count_calls(rows);
  std::string out = paint.bold("scxlab compare: B against A") + "\n" +
                    wrap("  ", "A = " + report.a.source, options.width, "      ") +
                    wrap("  ", "B = " + report.b.source, options.width, "      ") +
                    fmt::format("headline metrics: {} better, {} worse, {} no diff., {} run more (warnings below: the "
                                "runs were not interleaved)\n",
                                calls.better, calls.worse, calls.no_difference, calls.inconclusive);
  for (const auto& w : workloads_of(report)) render_workload(out, w, rows, paint);
  if (rows.empty()) out += "\nno scheduler x workload cell was measured in both runs: nothing to compare\n";
  std::vector<std::string> only;
  for (const auto& c : report.only_in) only.push_back(only_in_text(c));
  render_list(out, "not compared", only, options, paint);
  auto all = drift_warnings(report);
  for (auto& w : warnings(report.input)) all.push_back(std::move(w));
  render_list(out, "warnings", all, options, paint);
  return out;
}

nlohmann::json compare_to_json(const CompareReport& report) {
  auto rows = nlohmann::json::array();
  for (const auto& r : compare_rows(report)) rows.push_back(row_json(r));
  auto only = nlohmann::json::array();
  for (const auto& c : report.only_in) {
    only.push_back({{"side", c.side}, {"scheduler", c.scheduler}, {"workload", c.workload}, {"text", only_in_text(c)}});
  }
  auto all = drift_warnings(report);
  for (auto& w : warnings(report.input)) all.push_back(std::move(w));
  return {{"a", side_json(report.a)}, {"b", side_json(report.b)}, {"rows", rows}, {"only_in", only},
          {"warnings", all}};
}

}  // namespace scxlab::reports
