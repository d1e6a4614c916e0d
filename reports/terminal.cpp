#include "reports/terminal.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include "reports/format.hpp"
#include "reports/text_parts.hpp"

namespace scxlab::reports {
namespace text_detail {

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string trim_right(const std::string& s) { return s.substr(0, s.find_last_not_of(' ') + 1); }

std::string shorten(const std::string& s, std::size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 1) + "~";
}

std::string wrap(const std::string& first, const std::string& text, std::size_t width, const std::string& indent) {
  std::string out, line = first;
  bool has_word = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const auto word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (has_word && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent;
      has_word = false;
    }
    line += (has_word ? " " : "") + word;
    has_word = true;
  }
  return out + line + "\n";
}

namespace {
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";
}  // namespace

std::string Painter::bold(const std::string& s) const { return on_ ? kBold + s + kReset : s; }

std::string Painter::change(const std::string& text, const stats::Comparison* c) const {
  if (!on_ || !c || !is_called(c->call)) return text;
  return (c->call == stats::Call::better ? kGreen : kRed) + text + kReset;
}

void render_list(std::string& out, const std::string& title, const std::vector<std::string>& items,
                 const TerminalOptions& options, const Painter& paint) {
  if (items.empty()) return;
  out += "\n" + paint.bold(title) + "\n";
  for (const auto& item : items) out += wrap("  - ", item, options.width, "    ");
}

}  // namespace text_detail

namespace {
using namespace text_detail;

constexpr std::size_t kMaxLabel = 24;
constexpr const char* kMissing = "-";

struct Column {
  std::string metric, title, subtitle;
  std::size_t estimate_width = 0, change_width = 0;
  std::size_t width() const { return std::max({title.size(), subtitle.size(), estimate_width + 2 + change_width}); }
};

struct Cell {
  std::string estimate, change;
  const stats::MetricResult* metric = nullptr;
};

Cell cell_for(const stats::SchedulerResult& s, const std::string& metric, const std::string& baseline) {
  const auto* m = find_metric(s, metric);
  if (!m) return {kMissing, "", nullptr};
  return {format_estimate(m->summary), change_text(*m, s.scheduler == baseline), m};
}

std::vector<Column> columns_for(const stats::WorkloadAnalysis& w, const std::string& baseline) {
  std::vector<Column> columns;
  for (const auto& metric : column_metrics(w)) {
    Column c{metric, metric, "", 0, 0};
    for (const auto& s : w.schedulers) {
      const auto cell = cell_for(s, metric, baseline);
      c.estimate_width = std::max(c.estimate_width, cell.estimate.size());
      c.change_width = std::max(c.change_width, cell.change.size());
      if (cell.metric && c.subtitle.empty()) {
        const auto& m = *cell.metric;
        c.subtitle = fmt::format("{}{}{}", m.unit, m.unit.empty() ? "" : ", ", direction_text(m.direction));
      }
    }
    columns.push_back(c);
  }
  return columns;
}

// Splits columns into blocks that fit `width` after the fixed columns.
std::vector<std::vector<Column>> blocks_of(const std::vector<Column>& columns, std::size_t fixed, std::size_t width) {
  std::vector<std::vector<Column>> blocks;
  std::size_t used = width;  // forces a first block
  for (const auto& c : columns) {
    if (blocks.empty() || used + 3 + c.width() > width) {
      blocks.emplace_back();
      used = fixed;
    }
    blocks.back().push_back(c);
    used += 3 + c.width();
  }
  return blocks;
}

std::size_t repetitions(const stats::SchedulerResult& s, const std::vector<Column>& columns) {
  std::size_t n = 0;
  for (const auto& c : columns) {
    if (const auto* m = find_metric(s, c.metric)) n = std::max(n, m->summary.n);
  }
  return n;
}

void render_block(std::string& out, const stats::WorkloadAnalysis& w, const std::vector<Column>& block,
                  std::size_t label_width, const std::string& baseline, const Painter& paint) {
  auto header = fmt::format("  {:>2}  {}  {:>3}", "#", pad("scheduler", label_width), "n");
  auto subheader = fmt::format("  {:>2}  {}  {:>3}", "", pad("", label_width), "");
  for (const auto& c : block) {
    header += "   " + pad(c.title, c.width());
    subheader += "   " + pad(c.subtitle, c.width());
  }
  out += trim_right(header) + "\n" + trim_right(subheader) + "\n";
  for (const auto* s : by_rank(w)) {
    auto line = fmt::format("  {:>2}  {}  {:>3}", s->rank > 0 ? std::to_string(s->rank) : kMissing,
                            pad(shorten(s->scheduler, label_width), label_width), repetitions(*s, block));
    for (const auto& c : block) {
      const auto cell = cell_for(*s, c.metric, baseline);
      const auto estimate = pad(cell.estimate, c.estimate_width);
      const auto padding = c.width() - c.estimate_width - 2 - cell.change.size();
      line += "   " + estimate + "  " + paint.change(cell.change, cell.metric) + std::string(padding, ' ');
    }
    out += trim_right(line) + "\n";
  }
}

void render_workload(std::string& out, const stats::WorkloadAnalysis& w, const std::string& baseline,
                     const TerminalOptions& options, const Painter& paint) {
  out += "\n" + paint.bold(w.workload) + fmt::format("  (baseline {})\n", baseline);
  const auto columns = columns_for(w, baseline);
  std::size_t label_width = 9;
  for (const auto& s : w.schedulers) label_width = std::max(label_width, std::min(kMaxLabel, s.scheduler.size()));
  const std::size_t fixed = 2 + 2 + 2 + label_width + 2 + 3;
  for (const auto& block : blocks_of(columns, fixed, options.width)) render_block(out, w, block, label_width, baseline, paint);
}

std::string calls_text(const CallCounts& c) {
  return fmt::format("{} better, {} worse, {} no diff., {} run more", c.better, c.worse, c.no_difference,
                     c.inconclusive);
}

void render_ranking(std::string& out, const stats::RunAnalysis& a, const TerminalOptions& options,
                    const Painter& paint) {
  if (a.overall_ranking.empty()) return;
  out += "\n" + paint.bold("overall") + "\n" +
         wrap("  ",
              fmt::format("score: geometric mean over workloads of the headline changes vs {}, >1 is better. It "
                          "ranks point estimates; the calls say which differences are real.",
                          a.baseline),
              options.width, "  ");
  std::size_t label_width = 9;
  for (const auto& [name, score] : a.overall_ranking) label_width = std::max(label_width, std::min(kMaxLabel, name.size()));
  int rank = 0;
  for (const auto& [name, score] : a.overall_ranking) {
    out += fmt::format("  {:>2}. {}  {:.3f}  headline calls: {}\n", ++rank, pad(shorten(name, label_width), label_width),
                       score, name == a.baseline ? "baseline" : calls_text(headline_calls(a, name)));
  }
}

std::string method_text(const ReportInput& input) {
  if (!input.options) {
    return "cells: median [95% interval]; a change is a ratio of medians, called better/worse only when "
           "significant (Mann-Whitney U, Holm) and beyond the minimum effect";
  }
  const auto& o = *input.options;
  return fmt::format("cells: median [{:g}% interval]; a change is a ratio of medians, called better/worse only when "
                     "Holm-adjusted Mann-Whitney p < {:g} and its interval lies beyond +-{:g}%",
                     100 * o.level, o.alpha, 100 * o.min_effect);
}

// "every workload; on every scheduler", or the ones named.
std::string scope_text(const UnavailableCause& c, std::size_t workload_count, std::size_t scheduler_count) {
  const auto every = [](const std::vector<std::string>& names, std::size_t all, const char* word) {
    return names.size() > 1 && names.size() == all ? fmt::format("every {}", word) : fmt::format("{}", fmt::join(names, ", "));
  };
  return every(c.workloads, workload_count, "workload") + "; on " + every(c.schedulers, scheduler_count, "scheduler");
}

// One line per root cause naming the metrics it took: a host without hardware counters reads
// as one fact, not one per counter, derived metric and workload. A scope all causes share is
// said once, in the title.
void render_unavailable(std::string& out, const ReportInput& input, const TerminalOptions& options,
                        const Painter& paint) {
  const auto causes = unavailable_causes(unavailable_metrics(input.trials));
  if (causes.empty()) return;
  std::set<std::string> all_schedulers;
  for (const auto& t : input.trials) all_schedulers.insert(t.scheduler);
  std::vector<std::string> scopes;
  for (const auto& c : causes) scopes.push_back(scope_text(c, input.analysis.workloads.size(), all_schedulers.size()));
  const bool one_scope = std::all_of(scopes.begin(), scopes.end(), [&](const auto& s) { return s == scopes.front(); });
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < causes.size(); ++i) {
    lines.push_back(fmt::format("{}: {}{}", metrics_text(causes[i]), causes[i].cause, one_scope ? "" : " (" + scopes[i] + ")"));
  }
  render_list(out, "not available on this host" + (one_scope ? " (" + scopes.front() + ")" : std::string()), lines,
              options, paint);
}

std::string p_text(const stats::Comparison& c) {
  const auto p = format_p(c.p_adjusted);
  return p.front() == '<' ? " p" + p : " p=" + p;
}

// One scheduler's metrics, a line each: name, n, median [interval] unit, CV, range, change.
// A name longer than the name column gets a line of its own.
void render_metric_listing(std::string& out, const stats::WorkloadAnalysis& w, const std::string& baseline,
                           const Painter& paint) {
  constexpr std::size_t kMaxName = 26;
  for (const auto& s : w.schedulers) {
    out += "\n" + paint.bold(w.workload + " / " + s.scheduler) + "\n";
    std::size_t name_width = 6, estimate_width = 21, range_width = 5;
    std::vector<std::string> estimates, ranges;
    for (const auto& m : s.metrics) {
      estimates.push_back(format_estimate(m.summary) + (m.unit.empty() ? "" : " " + m.unit));
      ranges.push_back(format_number(m.summary.min) + ".." + format_number(m.summary.max));
      if (m.metric.size() <= kMaxName) name_width = std::max(name_width, m.metric.size());
      estimate_width = std::max(estimate_width, estimates.back().size());
      range_width = std::max(range_width, ranges.back().size());
    }
    out += fmt::format("    {}  {:>3}  {}  {:>6}  {}  vs {}\n", pad("metric", name_width), "n",
                       pad("median [95% interval]", estimate_width), "CV", pad("range", range_width), baseline);
    for (std::size_t i = 0; i < s.metrics.size(); ++i) {
      const auto& m = s.metrics[i];
      auto change = change_text(m, s.scheduler == baseline);
      if (m.vs_baseline) change += p_text(*m.vs_baseline);
      if (m.metric.size() > name_width) out += "    " + m.metric + "\n";
      const auto name = m.metric.size() > name_width ? std::string() : m.metric;
      const auto line = fmt::format("    {}  {:>3}  {}  {:>6}  {}  ", pad(name, name_width), m.summary.n,
                                    pad(estimates[i], estimate_width), format_percent(m.summary.cv),
                                    pad(ranges[i], range_width));
      out += trim_right(line + paint.change(change, &m)) + "\n";
    }
  }
}

std::string header(const ReportInput& input, const TerminalOptions& options) {
  const auto& r = input.run;
  auto text = fmt::format("scxlab {} {}  run {}  seed {}  scxlab {}  status {}\n", r.kind, r.created_utc,
                          r.uuid.substr(0, 8), r.seed, r.scxlab_version, r.status);
  if (r.host.is_object()) {
    const auto cpus = r.host.contains("topology") ? r.host["topology"].value("cpus", 0) : 0;
    text += fmt::format("host {}  kernel {}  {}  {} CPUs\n", r.host.value("hostname", "?"), r.host.value("kernel", "?"),
                        r.host.value("cpu_model", "?"), cpus);
  }
  return text + wrap("", method_text(input), options.width, "  ");
}

}  // namespace

std::string render_terminal(const ReportInput& input, const TerminalOptions& options) {
  const Painter paint(options.color);
  std::string out = header(input, options);
  const auto& a = input.analysis;
  for (const auto& w : a.workloads) render_workload(out, w, a.baseline, options, paint);
  if (a.workloads.empty()) out += "\nno trial counted in the statistics: nothing to compare\n";
  render_ranking(out, a, options, paint);
  render_list(out, "warnings", warnings(input), options, paint);
  render_list(out, "notes", input.notes, options, paint);
  render_unavailable(out, input, options, paint);
  if (options.all_metrics) {
    for (const auto& w : a.workloads) render_metric_listing(out, w, a.baseline, paint);
  }
  return out;
}

bool color_wanted(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(fd) && !(no_color && *no_color);
}

}  // namespace scxlab::reports
