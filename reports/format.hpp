// Numbers for people, shared by the terminal table and the HTML report so both print the
// same text for the same value: about three significant digits, k/M/G above 10^4, and an
// interval printed with enough decimals that its bounds differ when they differ.
#pragma once

#include <string>

#include "stats/analysis.hpp"

namespace scxlab::reports {

std::string format_number(double v);  // 1.23, 45.6, 1234, 12.3k, 4.56M, 0.0123; "n/a" if not finite

struct FormattedEstimate {
  std::string median, low, high;  // one scale and one number of decimals for the three
  bool operator==(const FormattedEstimate&) const = default;
};
FormattedEstimate format_estimate(double median, double low, double high);
std::string format_estimate(const stats::Summary& s);  // "1.23 [1.20, 1.26]"

// An axis label: the decimals the step between ticks needs and no more (58, 60, 62; 1k, 10k).
std::string format_tick(double v, double step);

std::string format_change(double ratio);  // ratio of medians -> "+3.1%", "-12.4%", "+250%"
std::string format_p(double p);           // "<0.001", "0.034", "0.12", "1"
// The change and its interval: "+3.1% [+1.0%, +5.2%]", or where no ratio is used the
// difference of medians: "difference +0.52 [+0.10, +0.90]". Never nan or inf.
std::string change_with_interval(const stats::Comparison& c);
// A comparison's evidence without the call word: "+3.1% [+1.0%, +5.2%], p=0.004", or where no
// ratio is used, the difference of medians: "difference +0.52 [+0.10, +0.90] (no ratio: the
// baseline's median is 0), p=0.004". Never nan or inf.
std::string comparison_text(const stats::Comparison& c);
std::string format_percent(double fraction);  // CV: 0.0712 -> "7.1%"

// The shortest text that reads back as exactly `v`: data attributes and JSON, never people.
std::string exact(double v);

// "better", "worse", "no diff.", "run more": short enough for a table cell.
std::string short_call(stats::Call c);
bool is_called(stats::Call c);  // better or worse: the only calls that earn a number and a colour

// The comparison cell: "-3.1% better" / "+4.0% worse" when called, otherwise the call word;
// "baseline" for the baseline, "not compared" when there was nothing to compare with, ""
// for an informational metric.
std::string change_text(const stats::MetricResult& m, bool is_baseline);

std::string direction_text(Direction d);  // "lower is better", "higher is better", "informational"

}  // namespace scxlab::reports
