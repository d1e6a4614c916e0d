// `scxlab compare RUN_A RUN_B`: the same scheduler x workload cells of two runs (two kernels,
// two machines, before and after an upgrade), run B against baseline run A. The harness reads
// the runs and analyses each scheduler's pair ("scx_lavd @A" against "scx_lavd @B": the one
// labelling used everywhere); this renders the answer: the terminal table, the JSON, and the
// HTML report (the shootout's report with a compare section on top). Every rendering carries
// the warning that the runs were not interleaved in time.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/model.hpp"
#include "reports/terminal.hpp"

namespace scxlab::reports {

struct CompareSide {
  std::string name;    // "A" | "B"
  std::string source;  // for people: "run 3f2a9c1e of 2026-11-24T10:00:00Z in DIR"
  store::RunInfo run;
};

struct CompareCell {
  std::string side;  // the run that has it: "A" | "B"
  std::string scheduler, workload;
};

struct CompareReport {
  CompareSide a, b;
  // Both runs' trials of the cells they share, labelled side_label(); the analysis holds
  // each scheduler's B side against its A side (input.baselines: the A sides).
  ReportInput input;
  std::vector<CompareCell> only_in;  // cells one run has and the other has not
};

// "scx_lavd @A": a scheduler's label on one side of a compare.
std::string side_label(const std::string& scheduler, const std::string& side);

// One metric of one scheduler on one workload, A against B.
struct CompareRow {
  std::string workload, scheduler, metric, unit;
  bool headline = false;
  stats::Summary a, b;
  stats::Comparison comparison;
};
// Per workload in the analysis's order, per scheduler, headline metrics first; every
// directional metric both sides have.
std::vector<CompareRow> compare_rows(const CompareReport& report);

// "only in B: scx_lavd x frames"
std::string only_in_text(const CompareCell& cell);

// The runs were not interleaved in time: the warning with both runs' host, kernel, date and
// scxlab version, saying when hosts or kernels differ, and when a run did not complete.
std::vector<std::string> drift_warnings(const CompareReport& report);

// Answer first: a one-line count of the calls, per workload a table (scheduler | metric |
// A median | B median | change [interval] | call; headline metrics, then any other metric
// with a call), the cells only in one run, then the warnings.
std::string render_compare_terminal(const CompareReport& report, const TerminalOptions& options = {});

// For `scxlab compare --json`: the sides, every row with its call (the terminal's words), the
// cells only in one run and the warnings.
nlohmann::json compare_to_json(const CompareReport& report);

// The self-contained HTML report: the compare section (warning, sides, calls, cells only in
// one run) on top of the shootout report's workload sections and strip plots.
std::string render_compare_html(const CompareReport& report);

}  // namespace scxlab::reports
