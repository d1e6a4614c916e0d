// The terminal report: per workload a table with schedulers as rows (best first) and the
// headline metrics as columns, each cell "median [ci_low, ci_high]" and the change against
// the baseline. A change is printed as a number ("-3.1% better") only when the call is
// significant, and coloured only then (green better, red worse); otherwise the call word
// ("no diff.", "run more"). Then the overall ranking with the calls behind it, warnings,
// notes, metrics the host could not give, and optionally every metric in a compact listing.
#pragma once

#include <string>

#include "reports/model.hpp"

namespace scxlab::reports {

struct TerminalOptions {
  bool color = false;        // ANSI colours; see color_wanted()
  bool all_metrics = false;  // append the compact listing of every metric
  std::size_t width = 100;   // metric columns wrap into further blocks beyond this
};

std::string render_terminal(const ReportInput& input, const TerminalOptions& options = {});

// Colour only on a terminal and never when NO_COLOR is set to anything non-empty
// (https://no-color.org).
bool color_wanted(int fd);

}  // namespace scxlab::reports
