// The gate's section at the top of its HTML report: the outcome as a banner, the verdict
// table, and the history of each gated metric with its change points.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/gate_report.hpp"
#include "reports/markup.hpp"

namespace scxlab::reports {
namespace {

std::string esc(const std::string& s) { return escape_html(s); }

std::string_view verdict_class(stats::Verdict v) {
  switch (v) {
    case stats::Verdict::regression: return "worse";
    case stats::Verdict::improvement: return "better";
    case stats::Verdict::no_change: return "no-difference";
    case stats::Verdict::inconclusive: return "inconclusive";
  }
  return "";
}

std::string value_cell(double v, std::size_t n, const std::string& unit) {
  if (n == 0) return "<td class=\"num\">&ndash;</td>";
  return fmt::format("<td class=\"num\" data-value=\"{}\">{}{} <span class=\"muted\">(n={})</span></td>", exact(v),
                     format_number(v), unit.empty() ? "" : " " + esc(unit), n);
}

std::string verdict_table(const GateReport& r) {
  std::string body;
  for (const auto& v : r.verdict.verdicts) {
    body += fmt::format(
        "<tr data-workload=\"{0}\" data-scheduler=\"{1}\" data-metric=\"{2}\" data-verdict=\"{3}\"><td class=\"change {4}\">"
        "<span class=\"call\">{3}</span></td><td>{0}</td><td>{1}</td><td><code>{2}</code></td>{5}{6}"
        "<td class=\"num\"{7}>{8}</td><td class=\"num\">{9}</td><td class=\"why\">{10}</td></tr>",
        esc(v.workload), esc(v.scheduler), esc(v.metric), to_string(v.verdict), verdict_class(v.verdict),
        value_cell(v.baseline_median, v.baseline_n, v.unit), value_cell(v.candidate_median, v.candidate_n, v.unit),
        std::isfinite(v.change) ? fmt::format(" data-change=\"{}\"", exact(v.change)) : "",
        esc(format_verdict_change(v)), format_p(v.p_adjusted), esc(v.reason));
  }
  return fmt::format(
      "<div class=\"table-wrap\"><table class=\"gate-verdicts\"><caption>Every gated metric: the verdict, the medians, "
      "the change against {} with its 95% interval, and the Holm-adjusted p-value</caption><thead><tr>"
      "<th scope=\"col\">verdict</th><th scope=\"col\">workload</th><th scope=\"col\">scheduler</th>"
      "<th scope=\"col\">metric</th><th scope=\"col\">{}</th><th scope=\"col\">candidate</th>"
      "<th scope=\"col\">change [95% interval]</th><th scope=\"col\">p (Holm)</th><th scope=\"col\">why</th></tr>"
      "</thead><tbody>{}</tbody></table></div>",
      esc(r.baseline), esc(r.baseline), body);
}

std::string history_figure(const HistorySeries& s, std::size_t index, const std::string& run_uuid) {
  std::vector<SeriesPoint> points;
  for (const auto& p : s.points) {
    points.push_back({p.median, fmt::format("{} {}, run {}", p.created_utc, p.kind, p.run_uuid.substr(0, 8)),
                      p.run_uuid == run_uuid});
  }
  std::vector<SeriesMarker> markers;
  std::string changes;
  for (const auto& c : s.changes) {
    markers.push_back({c.index, format_change(1 + c.change)});
    changes += fmt::format("<li data-run=\"{}\">{}: {} (mean {} &rarr; {}, p {}), introduced by run <code>{}</code></li>",
                           esc(s.points[c.index].run_uuid), esc(s.points[c.index].created_utc),
                           format_change(1 + c.change), format_number(c.mean_before), format_number(c.mean_after),
                           format_p(c.p_value), esc(s.points[c.index].run_uuid.substr(0, 8)));
  }
  const ChartText text{fmt::format("gate-history-{}", index),
                       fmt::format("{} on {} / {} over {} runs", s.metric, s.workload, s.scheduler, s.points.size()),
                       s.unit};
  return fmt::format("<figure class=\"history\" data-workload=\"{}\" data-scheduler=\"{}\" data-metric=\"{}\">{}"
                     "<figcaption>{} on {} / {}: the median of each stored run, this run larger. {}</figcaption>"
                     "</figure>{}",
                     esc(s.workload), esc(s.scheduler), esc(s.metric), series_plot_svg(text, points, markers),
                     esc(s.metric), esc(s.workload), esc(s.scheduler),
                     s.changes.empty() ? "No change point." : fmt::format("{} change point(s):", s.changes.size()),
                     changes.empty() ? "" : "<ul class=\"changes\">" + changes + "</ul>");
}

std::string history_section(const GateReport& r) {
  if (r.history.empty()) return "";
  std::string out = "<h3>History</h3>";
  const bool short_history =
      std::all_of(r.history.begin(), r.history.end(), [](const HistorySeries& s) { return s.points.size() < 2; });
  if (short_history) return out + "<p>The store holds no earlier run of these metrics yet: the history starts here.</p>";
  for (std::size_t i = 0; i < r.history.size(); ++i) out += history_figure(r.history[i], i, r.run_uuid);
  return out;
}

}  // namespace

std::string render_gate_html(const GateReport& r) {
  return fmt::format("<section id=\"gate\" class=\"gate gate-{}\" data-outcome=\"{}\" data-exit-code=\"{}\" "
                     "aria-labelledby=\"gate-h\"><h2 id=\"gate-h\">Gate: {}</h2><p class=\"gate-headline box\">{}</p>"
                     "<p>Threshold {}; {} of at most {} interleaved repetitions; baseline: {}; exit code {}.</p>{}{}"
                     "</section>",
                     to_string(r.verdict.outcome), to_string(r.verdict.outcome), r.exit_code,
                     to_string(r.verdict.outcome), esc(gate_headline(r)), format_percent(r.threshold), r.repetitions,
                     r.max_repetitions, esc(r.baseline_source), r.exit_code, verdict_table(r), history_section(r));
}

}  // namespace scxlab::reports
