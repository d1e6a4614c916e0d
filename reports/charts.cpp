#include "reports/charts.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "reports/format.hpp"
#include "reports/markup.hpp"

namespace scxlab::reports {
namespace {

constexpr double kWidth = 720;
constexpr int kColors = 8;

// Maps a domain onto a pixel range.
struct Axis {
  double d0, d1, p0, p1;
  double operator()(double v) const { return d1 == d0 ? (p0 + p1) / 2 : p0 + (v - d0) / (d1 - d0) * (p1 - p0); }
};

// A tenth of a pixel is plenty; whole pixels without ".0" (a report draws thousands of them).
std::string px(double v) {
  auto text = fmt::format("{:.1f}", v);
  if (text.ends_with(".0")) text.resize(text.size() - 2);
  return text == "-0" ? "0" : text;
}

// Grid and axis lines as paths: half the bytes of <line x1 x2 y1 y2>.
std::string h_line(const std::string& cls, double x1, double x2, double y) {
  return fmt::format("<path class=\"{}\" d=\"M{} {}H{}\"/>", cls, px(x1), px(y), px(x2));
}
std::string v_line(const std::string& cls, double x, double y1, double y2) {
  return fmt::format("<path class=\"{}\" d=\"M{} {}V{}\"/>", cls, px(x), px(y1), px(y2));
}

std::string color_class(int color) { return fmt::format("s{}", ((color % kColors) + kColors) % kColors); }

std::string open_svg(const ChartText& t, double height, const std::string& description) {
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{}-t {}-d\">"
      "<title id=\"{}-t\">{}</title><desc id=\"{}-d\">{}</desc>",
      kWidth, height, t.id, t.id, t.id, escape_html(t.title), t.id, escape_html(description));
}

// "middle" is the stylesheet's default (svg.chart text:not([text-anchor])): not written on
// each of a report's thousands of labels.
std::string text_at(double x, double y, const std::string& anchor, const std::string& cls, const std::string& text) {
  const auto anchor_attr = anchor == "middle" ? std::string() : fmt::format(" text-anchor=\"{}\"", anchor);
  return fmt::format("<text x=\"{}\" y=\"{}\"{} class=\"{}\">{}</text>", px(x), px(y), anchor_attr, cls,
                     escape_html(text));
}

// A vertical grid line with its label under the axis.
std::string x_tick(const Axis& x, double at, double top, double bottom, const std::string& label) {
  return v_line("grid", x(at), top, bottom) + text_at(x(at), bottom + 16, "middle", "tick", label);
}

std::string unit_suffix(const std::string& unit) { return unit.empty() ? "" : " " + unit; }

// Nice tick positions (1, 2, 5 x 10^k steps) covering [low, high], about `count` of them.
// Ticks are counted as whole steps, never accumulated: near 2^64 (a u64 sentinel in a
// scheduler's statistics) a step can be below the spacing of doubles, and `t += step` never
// advanced. Where whole steps cannot be told apart, the range's ends are the ticks.
std::vector<double> linear_ticks(double low, double high, int count) {
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high) || count < 1) return {low};
  const double raw = (high - low) / count;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  const double first = std::ceil(low / step), last = std::floor(high / step + 1e-9);
  constexpr double kExactSteps = 0x1p52;  // beyond it consecutive step numbers collide
  if (!(last - first <= 4.0 * count) || std::abs(first) > kExactSteps || std::abs(last) > kExactSteps ||
      first * step + step == first * step) {
    return {low, high};
  }
  std::vector<double> ticks;
  for (double k = first; k <= last; ++k) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

// The strip plot's horizontal domain: every value and interval bound, padded a little.
std::pair<double, double> strip_domain(const std::vector<StripSeries>& series) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : series) {
    for (const auto& r : s.repetitions) lo = std::min(lo, r.value), hi = std::max(hi, r.value);
    if (s.summary) lo = std::min(lo, s.summary->ci_low), hi = std::max(hi, s.summary->ci_high);
  }
  if (!std::isfinite(lo)) return {0, 1};
  const double pad = hi > lo ? (hi - lo) * 0.05 : std::max(std::abs(lo) * 0.05, 1e-9);
  return {lo - pad, hi + pad};
}

std::string strip_row(const StripSeries& s, const Axis& x, double center, const std::string& unit) {
  const auto cls = color_class(s.color);
  std::string out = fmt::format("<g class=\"series {}\" data-scheduler=\"{}\">", cls, escape_html(s.scheduler));
  if (s.summary && s.summary->n > 0) {
    const auto& m = *s.summary;
    out += fmt::format("<rect class=\"ci\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\"><title>{}: median {}{}, "
                       "95% interval [{}, {}]</title></rect>",
                       px(x(m.ci_low)), px(center - 7), px(std::max(1.0, x(m.ci_high) - x(m.ci_low))),
                       escape_html(s.scheduler), format_number(m.median), escape_html(unit_suffix(unit)),
                       format_number(m.ci_low), format_number(m.ci_high));
    out += v_line("median", x(m.median), center - 11, center + 11);
  }
  for (std::size_t k = 0; k < s.repetitions.size(); ++k) {
    const auto& r = s.repetitions[k];
    // A fixed vertical spread so equal values stay visible as separate dots.
    const double jitter = (static_cast<double>(k % 5) - 2) * 3;
    out += fmt::format(
        "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"3.5\" data-value=\"{}\" data-seq=\"{}\"><title>{}, trial {}: "
        "{}{}</title></circle>",
        px(x(r.value)), px(center + jitter), exact(r.value), r.seq, escape_html(s.scheduler), r.seq,
        format_number(r.value), escape_html(unit_suffix(unit)));
  }
  return out + "</g>";
}

// The nines scale: x = -log10(1 - p/100), so p90 -> 1, p99 -> 2, p99.9 -> 3.
double nines(double percentile) { return -std::log10(1 - percentile / 100); }
double percentile_at(double x) { return 100 * (1 - std::pow(10, -x)); }

double max_nines(const std::vector<PercentileSeries>& series) {
  std::uint64_t most = 0;
  for (const auto& s : series) most = std::max(most, s.hist.count());
  // Beyond 1/n of the samples a percentile is just the maximum: stop where data still speaks.
  const double reach = most > 1 ? std::floor(std::log10(static_cast<double>(most))) : 1;
  return std::clamp(reach, 1.0, 4.0);
}

std::vector<double> log_ticks(double lo_exp, double hi_exp) {
  std::vector<double> ticks;
  if (!std::isfinite(lo_exp) || !std::isfinite(hi_exp)) return ticks;  // the loop would never end
  const bool fine = hi_exp - lo_exp <= 2;
  for (double e = lo_exp; e <= hi_exp + 1e-9; ++e) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10, e);
      if ((m == 1.0 || fine) && std::log10(v) <= hi_exp + 1e-9) ticks.push_back(v);
    }
  }
  return ticks;
}

std::string nines_label(int x) {
  constexpr const char* kLabels[] = {"min", "p90", "p99", "p99.9", "p99.99"};
  return kLabels[std::clamp(x, 0, 4)];
}

// A point every 0.02 nines; of a flat stretch (one histogram bucket over many percentiles)
// only its ends, as the line between them is the same. Points after the first are implicit
// line-tos.
std::string curve_path(const PercentileSeries& s, const Axis& x, const Axis& y_log, double xmax) {
  std::vector<std::pair<std::string, std::string>> points;
  for (double at = 0; at <= xmax + 1e-9; at += 0.02) {
    const double v = std::max(s.hist.percentile(percentile_at(at)), 1e-3);
    std::pair<std::string, std::string> p{px(x(at)), px(y_log(std::log10(v)))};
    const auto n = points.size();
    if (n >= 2 && points[n - 1].second == p.second && points[n - 2].second == p.second) points.back() = std::move(p);
    else points.push_back(std::move(p));
  }
  std::string d = "M";
  for (std::size_t i = 0; i < points.size(); ++i) d += (i ? " " : "") + points[i].first + "," + points[i].second;
  return d;
}

// A plot area with both axes linear: grid, ticks, the x label under it and the unit rotated
// on the left.
struct Frame {
  static constexpr double left = 76, right = 24, top = 12, height = 300, bottom_space = 48;
  Axis x, y;
  double axis_y() const { return height - bottom_space; }
};

std::pair<double, double> padded(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  const double pad = hi > lo ? (hi - lo) * 0.06 : std::max(std::abs(lo) * 0.05, 1e-9);
  return {lo - pad, hi + pad};
}

Frame make_frame(std::pair<double, double> xd, std::pair<double, double> yd) {
  const double axis_y = Frame::height - Frame::bottom_space;
  return {Axis{xd.first, xd.second, Frame::left, kWidth - Frame::right}, Axis{yd.first, yd.second, axis_y, Frame::top}};
}

std::string y_grid(const Frame& f) {
  std::string out;
  const auto ticks = linear_ticks(f.y.d0, f.y.d1, 5);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : f.y.d1 - f.y.d0;
  for (const double t : ticks) {
    out += h_line("grid", Frame::left, kWidth - Frame::right, f.y(t));
    out += text_at(Frame::left - 6, f.y(t) + 4, "end", "tick", format_tick(t, step));
  }
  return out;
}

std::string frame_labels(const Frame& f, const std::string& x_label, const std::string& y_label) {
  const double axis_y = f.axis_y();
  return h_line("axis", Frame::left, kWidth - Frame::right, axis_y) +
         text_at((Frame::left + kWidth - Frame::right) / 2, axis_y + 38, "middle", "label", x_label) +
         fmt::format("<text class=\"label\" transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">{}"
                     "</text>",
                     px((Frame::top + axis_y) / 2), escape_html(y_label));
}

std::string circle(double x, double y, const std::string& cls, const std::string& data, const std::string& title) {
  return fmt::format("<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4\" {}><title>{}</title></circle>", cls, px(x),
                     px(y), data, escape_html(title));
}

std::pair<double, double> convergence_range(const ConvergenceChart& c) {
  double lo = INFINITY, hi = -INFINITY;
  const auto take = [&](double v) { lo = std::min(lo, v), hi = std::max(hi, v); };
  for (const auto& p : c.points) {
    if (p.value) take(*p.value);
  }
  if (c.default_level) take(*c.default_level);
  if (c.validated && c.validated->n > 0) take(c.validated->ci_low), take(c.validated->ci_high);
  return padded(lo, hi);
}

std::string best_path(const ConvergenceChart& c, const Frame& f) {
  std::string d;
  std::optional<double> last;
  for (const auto& p : c.points) {
    if (!p.best) continue;
    const double x = f.x(p.index);
    if (last && *last != *p.best) d += fmt::format(" L{},{}", px(x), px(f.y(*last)));
    d += fmt::format("{}{},{}", d.empty() ? "M" : " L", px(x), px(f.y(*p.best)));
    last = p.best;
  }
  return d.empty() ? "" : fmt::format("<path class=\"best\" d=\"{}\"><title>best feasible so far</title></path>", d);
}

std::string convergence_marks(const ConvergenceChart& c, const Frame& f, const std::string& unit) {
  std::string out;
  for (const auto& p : c.points) {
    const auto data = fmt::format("data-index=\"{}\"", p.index);
    if (!p.value) {
      out += fmt::format("<text class=\"failed\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" {}>&#215;<title>"
                         "evaluation {}: failed or refused, no value</title></text>",
                         px(f.x(p.index)), px(f.axis_y() - 4), data, p.index);
      continue;
    }
    out += circle(f.x(p.index), f.y(*p.value), p.feasible ? "dot" : "dot infeasible",
                  data + fmt::format(" data-value=\"{}\"", exact(*p.value)),
                  fmt::format("evaluation {}: {}{}{}", p.index, format_number(*p.value), unit_suffix(unit),
                              p.feasible ? "" : " (breaks a bound)"));
  }
  return out;
}

std::string validated_band(const ConvergenceChart& c, const Frame& f, const std::string& unit) {
  if (!c.validated || c.validated->n == 0) return "";
  const auto& v = *c.validated;
  const double x0 = kWidth - Frame::right - 18, x1 = kWidth - Frame::right - 2;
  return fmt::format("<g class=\"validated\"><rect class=\"ci\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                     "<title>validation of the tuned configuration: median {}{}, 95% interval [{}, {}]</title></rect>",
                     px(x0), px(f.y(v.ci_high)), px(x1 - x0), px(std::max(1.0, f.y(v.ci_low) - f.y(v.ci_high))),
                     format_number(v.median), unit_suffix(unit), format_number(v.ci_low), format_number(v.ci_high)) +
         fmt::format("<line class=\"median\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/></g>", px(x0), px(x1),
                     px(f.y(v.median))) +
         text_at(x0 - 4, f.y(v.median) + 4, "end", "tick", "validated");
}

std::string integer_x_ticks(const Frame& f, int last) {
  std::string out;
  const auto ticks = linear_ticks(1, std::max(last, 2), 8);
  for (const double t : ticks) {
    if (t == std::floor(t)) out += x_tick(f.x, t, Frame::top, f.axis_y(), fmt::format("{:.0f}", t));
  }
  return out;
}

std::pair<double, double> effect_range(const EffectChart& c) {
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < c.mean.size(); ++i) {
    for (const double v : {c.low[i], c.high[i]}) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  for (const auto& [k, v] : c.evaluations) lo = std::min(lo, v), hi = std::max(hi, v);
  return padded(lo, hi);
}

std::string effect_x_ticks(const EffectChart& c, const Frame& f) {
  std::string out;
  if (!c.labels.empty()) {
    for (std::size_t i = 0; i < c.labels.size() && i < c.at.size(); ++i)
      out += x_tick(f.x, c.at[i], Frame::top, f.axis_y(), c.labels[i]);
    return out;
  }
  const auto ticks = linear_ticks(f.x.d0, f.x.d1, 6);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : f.x.d1 - f.x.d0;
  for (const double t : ticks) out += x_tick(f.x, t, Frame::top, f.axis_y(), format_tick(t, step));
  return out;
}

std::string effect_band(const EffectChart& c, const Frame& f) {
  std::string upper, lower, mean;
  for (std::size_t i = 0; i < c.at.size(); ++i) {
    if (!std::isfinite(c.mean[i]) || !std::isfinite(c.low[i]) || !std::isfinite(c.high[i])) continue;
    upper += fmt::format("{}{},{}", upper.empty() ? "M" : " L", px(f.x(c.at[i])), px(f.y(c.high[i])));
    lower = fmt::format(" L{},{}", px(f.x(c.at[i])), px(f.y(c.low[i]))) + lower;
    mean += fmt::format("{}{},{}", mean.empty() ? "M" : " L", px(f.x(c.at[i])), px(f.y(c.mean[i])));
  }
  if (mean.empty()) return "";
  return fmt::format("<path class=\"band\" d=\"{} {} Z\"><title>95% band of the model</title></path>"
                     "<path class=\"curve\" d=\"{}\"><title>the model's mean objective</title></path>",
                     upper, lower, mean);
}

}  // namespace

std::string convergence_svg(const ChartText& text, const ConvergenceChart& chart) {
  int last = 1;
  for (const auto& p : chart.points) last = std::max(last, p.index);
  const auto f = make_frame({0.5, last + 0.5}, convergence_range(chart));
  std::string out = open_svg(text, Frame::height,
                             "Objective of each evaluation against its number: dots measured, open dots broke a bound, "
                             "crosses failed or were refused; step line: best feasible so far; dashed line: the "
                             "default configuration; band at the right: the validated tuned configuration.");
  out += y_grid(f) + integer_x_ticks(f, last) + frame_labels(f, "evaluation", text.unit);
  if (chart.default_level) {
    out += fmt::format("<line class=\"ref\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"><title>the default "
                       "configuration: {3}</title></line>",
                       px(Frame::left), px(kWidth - Frame::right), px(f.y(*chart.default_level)),
                       format_number(*chart.default_level));
    out += text_at(Frame::left + 4, f.y(*chart.default_level) - 4, "start", "tick", "default");
  }
  out += "<g class=\"series s0\">" + best_path(chart, f) + convergence_marks(chart, f, text.unit) + "</g>";
  out += "<g class=\"series s1\">" + validated_band(chart, f, text.unit) + "</g>";
  return out + "</svg>";
}

std::string effect_svg(const ChartText& text, const EffectChart& chart) {
  double x0 = INFINITY, x1 = -INFINITY;
  for (const double a : chart.at) x0 = std::min(x0, a), x1 = std::max(x1, a);
  for (const auto& [k, v] : chart.evaluations) x0 = std::min(x0, k), x1 = std::max(x1, k);
  const auto xd = chart.labels.empty() ? padded(x0, x1) : std::pair{x0 - 0.5, x1 + 0.5};
  const auto f = make_frame(xd, effect_range(chart));
  std::string out = open_svg(text, Frame::height,
                             "The model's mean objective over the knob's range with its 95% band, and each "
                             "evaluation's objective at its value of the knob as a dot.");
  out += y_grid(f) + effect_x_ticks(chart, f) + frame_labels(f, text.title, text.unit);
  out += "<g class=\"series s0\">" + effect_band(chart, f);
  for (const auto& [k, v] : chart.evaluations) {
    out += circle(f.x(k), f.y(v), "dot", fmt::format("data-value=\"{}\"", exact(v)),
                  fmt::format("{} at {}: {}{}", text.title, format_number(k), format_number(v), unit_suffix(text.unit)));
  }
  return out + "</g></svg>";
}

std::string strip_plot_svg(const ChartText& text, const std::vector<StripSeries>& series) {
  constexpr double left = 170, right = 24, top = 12, row = 34, bottom_space = 44;
  const double height = top + row * static_cast<double>(series.size()) + bottom_space;
  const double axis_y = top + row * static_cast<double>(series.size());
  const auto [lo, hi] = strip_domain(series);
  const Axis x{lo, hi, left, kWidth - right};

  std::string out = open_svg(text, height,
                             fmt::format("Every repetition per scheduler as a dot; bar: median; band: its 95% "
                                         "interval; dashed line: median of {}.",
                                         series.empty() ? "" : series.front().scheduler));
  const auto ticks = linear_ticks(lo, hi, 4);  // a few: a report has hundreds of strip plots
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : hi - lo;
  for (const double t : ticks) out += x_tick(x, t, top, axis_y, format_tick(t, step));
  out += h_line("axis", left, kWidth - right, axis_y);
  out += text_at((left + kWidth - right) / 2, axis_y + 36, "middle", "label", text.unit);
  if (!series.empty() && series.front().summary && series.front().summary->n > 0) {
    out += v_line("ref", x(series.front().summary->median), top, axis_y);
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double center = top + row * (static_cast<double>(i) + 0.5);
    const auto& name = series[i].scheduler;
    out += text_at(left - 10, center + 4, "end", "name",
                   name.size() > 24 ? name.substr(0, 23) + "~" : name);
    out += strip_row(series[i], x, center, text.unit);
  }
  return out + "</svg>";
}

std::string percentile_plot_svg(const ChartText& text, const std::vector<PercentileSeries>& series) {
  constexpr double left = 70, right = 170, top = 12, height = 320, bottom_space = 48;
  const double axis_y = height - bottom_space;
  const double xmax = max_nines(series);
  double vmin = INFINITY, vmax = 1e-3;
  for (const auto& s : series) {
    if (s.hist.empty()) continue;
    vmin = std::min(vmin, std::max(s.hist.percentile(0), 1e-3));
    vmax = std::max(vmax, s.hist.percentile(percentile_at(xmax)));
  }
  if (!std::isfinite(vmin)) vmin = 1;
  const double lo_exp = std::floor(std::log10(vmin));
  const double hi_exp = std::max(lo_exp + 1, std::ceil(std::log10(vmax)));
  const Axis x{0, xmax, left, kWidth - right};
  const Axis y{lo_exp, hi_exp, axis_y, top};

  std::string out = open_svg(text, height,
                             "Latency at each percentile, pooled over the repetitions; horizontal axis: percentile "
                             "on a nines scale; vertical axis: logarithmic.");
  for (int at = 0; at <= static_cast<int>(xmax); ++at) out += x_tick(x, at, top, axis_y, nines_label(at));
  out += x_tick(x, nines(50), top, axis_y, "p50");
  for (const double v : log_ticks(lo_exp, hi_exp)) {
    const double py = y(std::log10(v));
    out += h_line("grid", left, kWidth - right, py);
    out += text_at(left - 6, py + 4, "end", "tick", format_tick(v, v));
  }
  out += h_line("axis", left, kWidth - right, axis_y);
  out += text_at((left + kWidth - right) / 2, axis_y + 38, "middle", "label", "percentile");
  out += fmt::format("<text class=\"label\" transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
                     px((top + axis_y) / 2), escape_html(text.unit));
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    if (s.hist.empty()) continue;
    const auto cls = color_class(s.color);
    const double ly = top + 14 + 20 * static_cast<double>(i);
    out += fmt::format("<g class=\"series {0}\" data-scheduler=\"{1}\"><path class=\"curve\" d=\"{2}\"><title>{1}"
                       "</title></path><line class=\"curve\" x1=\"{3}\" x2=\"{4}\" y1=\"{5}\" y2=\"{5}\"/>",
                       cls, escape_html(s.scheduler), curve_path(s, x, y, xmax), px(kWidth - right + 12),
                       px(kWidth - right + 40), px(ly));
    out += text_at(kWidth - right + 46, ly + 4, "start", "name",
                   s.scheduler.size() > 18 ? s.scheduler.substr(0, 17) + "~" : s.scheduler) + "</g>";
  }
  return out + "</svg>";
}

std::string series_plot_svg(const ChartText& text, const std::vector<SeriesPoint>& points,
                            const std::vector<SeriesMarker>& markers) {
  constexpr double left = 70, right = 24, top = 24, height = 260, bottom_space = 44;
  const double axis_y = height - bottom_space;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& p : points) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(std::abs(lo) * 0.05, 1e-9);
  const Axis x{0, std::max(1.0, static_cast<double>(points.size()) - 1), left, kWidth - right};
  const Axis y{lo - pad, hi + pad, axis_y, top};

  std::string out = open_svg(text, height,
                             "The metric in each run, oldest on the left; dashed lines: change points, with the "
                             "size of the shift.");
  const auto ticks = linear_ticks(lo - pad, hi + pad, 5);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : hi - lo;
  for (const double t : ticks) {
    out += h_line("grid", left, kWidth - right, y(t));
    out += text_at(left - 6, y(t) + 4, "end", "tick", format_tick(t, step));
  }
  out += h_line("axis", left, kWidth - right, axis_y);
  out += text_at((left + kWidth - right) / 2, axis_y + 30, "middle", "label", "runs, oldest first");
  out += fmt::format("<text class=\"label\" transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
                     px((top + axis_y) / 2), escape_html(text.unit));
  for (const auto& m : markers) {
    const double at = static_cast<double>(m.index) - 0.5;
    out += fmt::format("<g class=\"change-point\" data-index=\"{0}\"><line class=\"ref\" x1=\"{1}\" x2=\"{1}\" y1=\"{2}\" "
                       "y2=\"{3}\"/>",
                       m.index, px(x(at)), px(top - 8), px(axis_y));
    out += text_at(x(at) + 4, top - 10 + 12, "start", "name", m.text) + "</g>";
  }
  std::string path;
  for (std::size_t i = 0; i < points.size(); ++i) {
    path += fmt::format("{}{},{}", path.empty() ? "M" : " L", px(x(static_cast<double>(i))), px(y(points[i].value)));
  }
  out += fmt::format("<g class=\"series s0\"><path class=\"curve\" d=\"{}\"/>", path);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    out += fmt::format("<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"{}\" data-value=\"{}\"><title>{}: {}{}</title>"
                       "</circle>",
                       px(x(static_cast<double>(i))), px(y(p.value)), p.highlight ? 6 : 3.5, exact(p.value),
                       escape_html(p.label), format_number(p.value), escape_html(unit_suffix(text.unit)));
  }
  return out + "</g></svg>";
}

}  // namespace scxlab::reports
