// SVG charts for the HTML report, drawn here so the report needs no script to show them
// (and prints as drawn): strip plots of every repetition, and latency percentile curves
// from log-linear histograms on a "nines" axis. Colours come from CSS classes s0..s7 (one
// per scheduler, the same in every chart); curves also differ by dash pattern so they stay
// apart in greyscale print.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stats/analysis.hpp"
#include "stats/histogram.hpp"

namespace scxlab::reports {

struct ChartText {
  std::string id;     // unique in the document: ids of the title and description derive from it
  std::string title;  // what is plotted, read out by screen readers
  std::string unit;
};

struct Repetition {
  double value = 0;
  int seq = 0;
};

struct StripSeries {
  std::string scheduler;
  int color = 0;                         // index of the scheduler's colour class
  std::vector<Repetition> repetitions;   // every counted repetition
  std::optional<stats::Summary> summary; // median and interval drawn over the dots
};

// One row per scheduler: each repetition a dot, the median a bar, its interval a band; a
// dashed line at the first series' median (the baseline's, when it comes first).
std::string strip_plot_svg(const ChartText& text, const std::vector<StripSeries>& series);

struct PercentileSeries {
  std::string scheduler;
  int color = 0;
  stats::LogLinearHistogram hist;  // pooled over the scheduler's repetitions
};

// Value at each percentile from the minimum to p99.99 (as far as the samples reach), x on a
// nines scale (p90, p99, p99.9 equally spaced), y logarithmic.
std::string percentile_plot_svg(const ChartText& text, const std::vector<PercentileSeries>& series);

// A tune's convergence: each evaluation's objective against its number (a filled dot when
// feasible, an open one when it broke a bound, a cross on the axis when it failed or was
// refused), the best feasible so far as a step line, the default's level dashed, and the
// validated tuned configuration's median with its interval as a band at the right.
struct ConvergenceChart {
  struct Point {
    int index = 0;                 // 1-based evaluation number
    std::optional<double> value;   // none: failed or refused
    bool feasible = true;
    std::optional<double> best;    // best feasible so far
  };
  std::vector<Point> points;
  std::optional<double> default_level;
  std::optional<stats::Summary> validated;
};
std::string convergence_svg(const ChartText& text, const ConvergenceChart& chart);

// One knob's effect on the objective: the model's partial dependence (mean and band) over the
// knob's range and each evaluation's objective at its value of the knob. Categorical knobs
// give the choice's index in `at` and its name in `labels`.
struct EffectChart {
  std::vector<double> at, mean, low, high;
  std::vector<std::string> labels;
  std::vector<std::pair<double, double>> evaluations;  // (knob value, objective)
};
std::string effect_svg(const ChartText& text, const EffectChart& chart);

struct SeriesPoint {
  double value = 0;
  std::string label;       // what the point is, for its tooltip: "2026-11-24, run 3f2a9c1e"
  bool highlight = false;  // drawn larger: the run the chart is about
};

struct SeriesMarker {
  std::size_t index = 0;   // drawn between point index - 1 and index
  std::string text;        // "+12.3%"
};

// A metric over runs, oldest left: a line through the points on a linear value axis, with a
// dashed vertical line and its text at each marker (a change point).
std::string series_plot_svg(const ChartText& text, const std::vector<SeriesPoint>& points,
                            const std::vector<SeriesMarker>& markers);

}  // namespace scxlab::reports
