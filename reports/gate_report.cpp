#include "reports/gate_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reports/format.hpp"

namespace scxlab::reports {
namespace {

int count(const stats::GateVerdict& g, stats::Verdict v) {
  return static_cast<int>(std::count_if(g.verdicts.begin(), g.verdicts.end(),
                                        [&](const stats::MetricVerdict& m) { return m.verdict == v; }));
}

std::string verdict_list(const stats::GateVerdict& g, stats::Verdict v) {
  std::string out;
  for (const auto& m : g.verdicts) {
    if (m.verdict != v) continue;
    out += fmt::format("{}{} {}{}", out.empty() ? "" : ", ", m.workload, m.metric,
                       std::isfinite(m.change) ? " " + format_change(1 + m.change) : "");
  }
  return out;
}

// NaN has no JSON form: null, which readers take as "no value".
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string format_verdict_change(const stats::MetricVerdict& v) {
  if (!std::isfinite(v.change)) return "n/a";
  return fmt::format("{} [{}, {}]", format_change(1 + v.change), format_change(1 + v.change_low),
                     format_change(1 + v.change_high));
}

std::string gate_headline(const GateReport& r) {
  const auto& g = r.verdict;
  const auto total = g.verdicts.size();
  const auto who = fmt::format("{}", fmt::join(r.candidates, ", "));
  switch (g.outcome) {
    case stats::Outcome::regression:
      return fmt::format("regression: {} is worse than {} on {} of {} ({})", who, r.baseline,
                         count(g, stats::Verdict::regression), total, verdict_list(g, stats::Verdict::regression));
    case stats::Outcome::inconclusive:
      return fmt::format("inconclusive: {} of {} could not be decided after {} repetitions ({})",
                         count(g, stats::Verdict::inconclusive), total, r.repetitions,
                         total ? verdict_list(g, stats::Verdict::inconclusive) : "nothing was compared");
    case stats::Outcome::pass: break;
  }
  const int better = count(g, stats::Verdict::improvement);
  return fmt::format("pass: no regression of {} against {} beyond {} on {} metric{}{}", who, r.baseline,
                     format_percent(r.threshold), total, total == 1 ? "" : "s",
                     better ? fmt::format("; {} improved ({})", better, verdict_list(g, stats::Verdict::improvement))
                            : "");
}

std::string render_gate_text(const GateReport& r) {
  std::string out = fmt::format("\ngate: {}\n", gate_headline(r));
  auto sorted = r.verdict.verdicts;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return (a.verdict == stats::Verdict::regression) > (b.verdict == stats::Verdict::regression);
  });
  for (const auto& v : sorted) {
    out += fmt::format("  {:<22} {} / {}  {}  {}  p {}\n", to_string(v.verdict), v.workload, v.scheduler, v.metric,
                       format_verdict_change(v), format_p(v.p_adjusted));
  }
  return out + fmt::format("{} of at most {} repetitions; threshold {}; baseline: {}; exit {}\n", r.repetitions,
                           r.max_repetitions, format_percent(r.threshold), r.baseline_source, r.exit_code);
}

nlohmann::json JsonGateReporter::to_json(const GateReport& r) {
  auto verdicts = nlohmann::json::array();
  for (const auto& v : r.verdict.verdicts) {
    verdicts.push_back({{"workload", v.workload}, {"scheduler", v.scheduler}, {"metric", v.metric}, {"unit", v.unit},
                        {"direction", to_string(v.direction)}, {"verdict", to_string(v.verdict)},
                        {"change", number_or_null(v.change)}, {"change_low", number_or_null(v.change_low)},
                        {"change_high", number_or_null(v.change_high)}, {"p_adjusted", number_or_null(v.p_adjusted)},
                        {"baseline_median", number_or_null(v.baseline_median)}, {"baseline_n", v.baseline_n},
                        {"candidate_median", number_or_null(v.candidate_median)}, {"candidate_n", v.candidate_n},
                        {"reason", v.reason}});
  }
  return {{"outcome", to_string(r.verdict.outcome)},
          {"headline", gate_headline(r)},
          {"exit_code", r.exit_code},
          {"threshold", r.threshold},
          {"repetitions", r.repetitions},
          {"max_repetitions", r.max_repetitions},
          {"baseline", {{"label", r.baseline}, {"source", r.baseline_source}}},
          {"candidates", r.candidates},
          {"run", r.run_uuid},
          {"created_utc", r.created_utc},
          {"hostname", r.hostname},
          {"host", r.host},
          {"verdicts", verdicts},
          {"notes", r.notes},
          {"history", history_to_json(r.history)}};
}

std::string JsonGateReporter::render(const GateReport& r) const {
  return to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<std::unique_ptr<GateReporter>> gate_reporters() {
  std::vector<std::unique_ptr<GateReporter>> out;
  out.push_back(std::make_unique<JsonGateReporter>());
  out.push_back(std::make_unique<JUnitGateReporter>());
  out.push_back(std::make_unique<MarkdownGateReporter>());
  return out;
}

}  // namespace scxlab::reports
