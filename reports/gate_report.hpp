// A gate's answer for people and CI systems. GateReport holds what every rendering shows; each
// reporter (Google Benchmark style: one small class per format) renders it to one file:
//   JsonGateReporter      gate.json: the verdicts and how they were reached, for machines
//   JUnitGateReporter     junit.xml: one test case per gated metric x candidate, a regression a
//                         failure carrying the numbers, an inconclusive one skipped
//   MarkdownGateReporter  summary.md: the verdict first, then a table; for a GitHub step summary
//                         or a merge-request comment
// The HTML report shows render_gate_html() above the usual report (reports/html.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/history.hpp"
#include "stats/verdict.hpp"

namespace scxlab::reports {

struct GateReport {
  stats::GateVerdict verdict;
  std::string baseline;               // the baseline's label
  std::string baseline_source;        // "interleaved in this run", "stored baseline 'main' (run ..., date)"
  std::vector<std::string> candidates;
  double threshold = 0.03;            // the minimum effect a verdict calls
  int repetitions = 0;                // measured rounds the verdict rests on
  int max_repetitions = 0;
  int exit_code = 0;
  std::string run_uuid, created_utc;
  std::string hostname, host;         // host: a one-line summary (kernel, CPU)
  std::vector<std::string> notes;
  std::vector<HistorySeries> history;  // of the gated metrics, this run included
};

// One line: "regression: scx_lavd@new is worse on 1 of 7 metrics (messaging time_s +12.3%)".
std::string gate_headline(const GateReport& report);

class GateReporter {
 public:
  virtual ~GateReporter() = default;
  virtual std::string file_name() const = 0;
  virtual std::string render(const GateReport& report) const = 0;
};

class JsonGateReporter : public GateReporter {
 public:
  std::string file_name() const override { return "gate.json"; }
  std::string render(const GateReport& report) const override;
  static nlohmann::json to_json(const GateReport& report);
};

class JUnitGateReporter : public GateReporter {
 public:
  std::string file_name() const override { return "junit.xml"; }
  std::string render(const GateReport& report) const override;
};

class MarkdownGateReporter : public GateReporter {
 public:
  std::string file_name() const override { return "summary.md"; }
  std::string render(const GateReport& report) const override;
};

// Every file reporter, in the order they are written.
std::vector<std::unique_ptr<GateReporter>> gate_reporters();

// The verdict section at the top of the gate's HTML report: the outcome, the table, and each
// gated metric's history with its change points.
std::string render_gate_html(const GateReport& report);

// For the terminal, after the usual table: the headline, one line per verdict (regressions
// first), and how many repetitions it took.
std::string render_gate_text(const GateReport& report);

// "+12.3% [+8.1%, +16.0%]", "n/a" without a ratio: the change cell every format shares.
std::string format_verdict_change(const stats::MetricVerdict& v);

}  // namespace scxlab::reports
