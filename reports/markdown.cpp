// summary.md: what a reviewer reads in a GitHub step summary or a merge-request comment. The
// verdict first, as a heading; then one table row per gated metric, regressions first; then
// how it was measured, and the reasons folded away.
#include <algorithm>

#include <fmt/format.h>

#include "reports/format.hpp"
#include "reports/gate_report.hpp"

namespace scxlab::reports {
namespace {

// A table cell: no line break, and '|' would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string_view mark(stats::Verdict v) {
  switch (v) {
    case stats::Verdict::regression: return "❌";
    case stats::Verdict::improvement: return "✅";
    case stats::Verdict::no_change: return "➖";
    case stats::Verdict::inconclusive: return "⚠️";
  }
  return "";
}

std::string_view outcome_mark(stats::Outcome o) {
  switch (o) {
    case stats::Outcome::pass: return "✅";
    case stats::Outcome::regression: return "❌";
    case stats::Outcome::inconclusive: return "⚠️";
  }
  return "";
}

int severity(stats::Verdict v) {
  switch (v) {
    case stats::Verdict::regression: return 0;
    case stats::Verdict::inconclusive: return 1;
    case stats::Verdict::improvement: return 2;
    case stats::Verdict::no_change: return 3;
  }
  return 4;
}

std::string value(double v, std::size_t n, const std::string& unit) {
  if (n == 0) return "–";
  return fmt::format("{}{} (n={})", format_number(v), unit.empty() ? "" : " " + unit, n);
}

std::string row(const stats::MetricVerdict& v) {
  return fmt::format("| {} {} | {} | {} | {} | {} | {} | {} | {} |\n", mark(v.verdict), to_string(v.verdict),
                     cell(v.workload), cell(v.scheduler), cell(v.metric), value(v.baseline_median, v.baseline_n, v.unit),
                     value(v.candidate_median, v.candidate_n, v.unit), format_verdict_change(v), format_p(v.p_adjusted));
}

}  // namespace

std::string MarkdownGateReporter::render(const GateReport& r) const {
  std::string out = fmt::format("## {} scxlab gate: {}\n\n{}\n\n", outcome_mark(r.verdict.outcome),
                                to_string(r.verdict.outcome), cell(gate_headline(r)));
  auto sorted = r.verdict.verdicts;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return severity(a.verdict) < severity(b.verdict);
  });
  out += fmt::format("| verdict | workload | scheduler | metric | {} | candidate | change [95% interval] | p (Holm) |\n"
                     "|---|---|---|---|---|---|---|---|\n",
                     cell(r.baseline));
  for (const auto& v : sorted) out += row(v);
  out += fmt::format(
      "\nThreshold {}: a change is called only when significant after Holm over every gated metric and its whole "
      "interval lies beyond it. {} of at most {} interleaved repetitions were used. Baseline: {}. Exit code {}.\n",
      format_percent(r.threshold), r.repetitions, r.max_repetitions, cell(r.baseline_source), r.exit_code);
  out += fmt::format("Run `{}` on {} ({}).\n", r.run_uuid, cell(r.hostname), cell(r.host));
  out += "\n<details><summary>Why each verdict</summary>\n\n";
  for (const auto& v : sorted) {
    out += fmt::format("- **{} {} / {}**: {}\n", cell(v.workload), cell(v.scheduler), cell(v.metric), cell(v.reason));
  }
  for (const auto& n : r.notes) out += fmt::format("- note: {}\n", cell(n));
  return out + "\n</details>\n";
}

}  // namespace scxlab::reports
