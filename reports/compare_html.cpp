// The compare section at the top of a compare's HTML report; below it the shootout report's
// own sections (html.cpp) show every cell's table and strip plots with both runs' repetitions.
#include <fmt/format.h>

#include "reports/compare.hpp"
#include "reports/format.hpp"
#include "reports/html.hpp"
#include "reports/html_parts.hpp"

namespace scxlab::reports {
namespace {
using namespace html_detail;

std::string side_facts(const CompareSide& s) {
  return fmt::format("<div class=\"compare-side\" data-side=\"{}\"><h3>Run {}</h3>{}</div>", esc(s.name), esc(s.name),
                     facts({{"Source", s.source},
                            {"Date", s.run.created_utc},
                            {"Status", s.run.status},
                            {"scxlab version", s.run.scxlab_version},
                            {"Host", host_summary(s.run.host)}}));
}

// Every headline row and every called row: the answer. The full tables are below, per workload.
std::string calls_table(const std::vector<CompareRow>& rows) {
  std::string body;
  for (const auto& r : rows) {
    if (!r.headline && !is_called(r.comparison.call)) continue;
    const auto call = short_call(r.comparison.call);
    body += fmt::format(
        "<tr data-workload=\"{0}\" data-scheduler=\"{1}\" data-metric=\"{2}\" data-call=\"{3}\"><td>{0}</td>"
        "<td>{1}</td><td><code>{2}</code></td><td class=\"num\" data-value=\"{4}\">{5}</td>"
        "<td class=\"num\" data-value=\"{6}\">{7}</td><td class=\"change {8}\"><span class=\"call\">{3}</span>"
        "<span class=\"detail\">{9}</span></td><td class=\"why\">{10}</td></tr>",
        esc(r.workload), esc(r.scheduler), esc(r.metric), esc(call), exact(r.a.median), format_number(r.a.median),
        exact(r.b.median), format_number(r.b.median),
        r.comparison.call == stats::Call::better  ? "better"
        : r.comparison.call == stats::Call::worse ? "worse"
                                                  : "",
        esc(change_with_interval(r.comparison)), esc(r.comparison.reason));
  }
  if (body.empty()) return "<p>No scheduler x workload cell was measured in both runs: nothing to compare.</p>";
  return "<div class=\"table-wrap\"><table class=\"compare-calls\"><caption>Headline metrics and every called "
         "change: B against A, the medians, the change B / A - 1 with its 95% interval</caption><thead><tr>"
         "<th scope=\"col\">workload</th><th scope=\"col\">scheduler</th><th scope=\"col\">metric</th>"
         "<th scope=\"col\">A median</th><th scope=\"col\">B median</th><th scope=\"col\">change [95% interval]</th>"
         "<th scope=\"col\">why</th></tr></thead><tbody>" +
         body + "</tbody></table></div>";
}

std::string compare_section(const CompareReport& r) {
  std::vector<std::string> only;
  for (const auto& c : r.only_in) only.push_back(only_in_text(c));
  return fmt::format(
      "<section id=\"compare\" class=\"compare\" aria-labelledby=\"compare-h\"><h2 id=\"compare-h\">Compare: B "
      "against A</h2><div class=\"box compare-warning\" role=\"note\"><ul class=\"warnings\">{}</ul></div>{}{}{}{}"
      "</section>",
      list_items(drift_warnings(r)), side_facts(r.a), side_facts(r.b), calls_table(compare_rows(r)),
      only.empty() ? "<p>Every cell is in both runs.</p>"
                   : "<h3>Not compared</h3><ul class=\"only-in\">" + list_items(only) + "</ul>");
}

}  // namespace

std::string render_compare_html(const CompareReport& report) {
  auto input = report.input;
  input.lead_html = compare_section(report);
  return render_html(input);
}

}  // namespace scxlab::reports
