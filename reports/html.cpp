#include "reports/html.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/files.hpp"
#include "reports/charts.hpp"
#include "reports/format.hpp"
#include "reports/html_parts.hpp"
#include "reports/markup.hpp"
#include "stats/embedded_text.hpp"

namespace scxlab {
std::vector<EmbeddedText> report_assets();  // generated from reports/assets/ by CMake
}

namespace scxlab::reports {
namespace html_detail {

std::string asset(const std::string& name) {
  for (const auto& a : report_assets()) {
    if (a.name == name) return a.contents;
  }
  return "";
}

std::string esc(const std::string& s) { return escape_html(s); }

// A fragment id from a label: letters, digits and '-' only, unique by position.
std::string anchor(const std::string& prefix, std::size_t index, const std::string& label) {
  std::string id = fmt::format("{}-{}-", prefix, index);
  for (const char c : label) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return id;
}


std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Nested objects become dotted keys: topology.cpus.
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (!j.is_object()) {
    out.emplace_back(prefix, scalar_text(j));
    return;
  }
  for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
}

std::string facts(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string out = "<dl class=\"facts\">";
  for (const auto& [k, v] : rows) out += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
  return out + "</dl>";
}

std::string host_summary(const nlohmann::json& host) {
  if (!host.is_object()) return "";
  const auto cpus = host.contains("topology") && host["topology"].is_object() ? host["topology"].value("cpus", 0) : 0;
  return fmt::format("{}, kernel {}, {}, {} CPUs{}", host.value("hostname", "?"), host.value("kernel", "?"),
                     host.value("cpu_model", "?"), cpus, host.value("virtualized", false) ? " (virtual machine)" : "");
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// What ran, as the trials show it: schedulers, workloads, measured and warm-up rounds.
std::string plan_summary(const ReportInput& in) {
  std::vector<std::string> schedulers, workloads;
  std::set<int> measured, warmup;
  for (const auto& t : in.trials) {
    if (std::find(schedulers.begin(), schedulers.end(), t.scheduler) == schedulers.end()) schedulers.push_back(t.scheduler);
    if (std::find(workloads.begin(), workloads.end(), t.workload) == workloads.end()) workloads.push_back(t.workload);
    (t.kind == store::TrialKind::warmup ? warmup : measured).insert(t.round);
  }
  return fmt::format("{} scheduler{} ({}) x {} workload{} ({}); {} measured round{}, {} warm-up round{}; {} trials; "
                     "the full plan is under Host and plan",
                     schedulers.size(), schedulers.size() == 1 ? "" : "s", joined(schedulers), workloads.size(),
                     workloads.size() == 1 ? "" : "s", joined(workloads), measured.size(),
                     measured.size() == 1 ? "" : "s", warmup.size(), warmup.size() == 1 ? "" : "s", in.trials.size());
}

std::string header(const ReportInput& in) {
  const auto& r = in.run;
  const auto title = fmt::format("scxlab {} report", r.kind);
  return fmt::format("<header><h1>{}</h1>", esc(title)) +
         facts({{"Run", r.uuid},
                {"Date", r.created_utc},
                {"Status", r.status},
                {"scxlab version", r.scxlab_version},
                {"Seed", std::to_string(r.seed)},
                {"Baseline", in.analysis.baseline},
                {"Plan", plan_summary(in)},
                {"Host", host_summary(r.host)}}) +
         "</header>";
}

std::string nav(const ReportInput& in) {
  std::string out = "<nav aria-label=\"Contents\"><ul><li><a href=\"#summary\">Summary</a></li>"
                    "<li><a href=\"#warnings\">Warnings and notes</a></li>";
  for (std::size_t i = 0; i < in.analysis.workloads.size(); ++i) {
    const auto& w = in.analysis.workloads[i].workload;
    out += fmt::format("<li><a href=\"#{}\">{}</a></li>", anchor("workload", i, w), esc(w));
  }
  return out + "<li><a href=\"#trials\">Trials</a></li><li><a href=\"#host\">Host and plan</a></li></ul></nav>";
}

std::string method(const ReportInput& in) {
  const auto level = in.options ? fmt::format("{:g}%", 100 * in.options->level) : "95%";
  const auto rule = in.options ? fmt::format("a Holm-adjusted Mann-Whitney U p-value below {:g} and an interval of "
                                             "the ratio lying wholly beyond &plusmn;{:g}%",
                                             in.options->alpha, 100 * in.options->min_effect)
                               : "a significant Holm-adjusted Mann-Whitney U test and an interval of the ratio lying "
                                 "wholly beyond the minimum effect";
  return fmt::format(
      "<p>Each cell is the median of the repetitions with its {} bootstrap interval. A change is the ratio of "
      "medians against the baseline, with its bootstrap interval. It is called <em>better</em> or <em>worse</em> "
      "only with {}, corrected over each workload's metrics; then its number is shown and coloured. Otherwise the "
      "table says <em>no diff.</em> (the data exclude a large effect) or <em>run more</em> (inconclusive: more "
      "repetitions needed).</p>",
      level, rule);
}

std::string calls_cell(const CallCounts& c) {
  return fmt::format("{} better, {} worse, {} no diff., {} run more", c.better, c.worse, c.no_difference,
                     c.inconclusive);
}

std::string summary(const ReportInput& in) {
  const auto& a = in.analysis;
  std::string out = "<section id=\"summary\" aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>";
  if (a.workloads.empty()) {
    out += "<p>No trial counted in the statistics: nothing to compare.</p>";
  } else if (!a.overall_ranking.empty()) {
    out += fmt::format(
        "<div class=\"table-wrap\"><table class=\"ranking\"><caption>Overall ranking. Score: geometric mean over the "
        "workloads of the headline changes against {}, above 1 is better. It orders point estimates; the calls "
        "say which differences are real.</caption><thead><tr><th scope=\"col\">Rank</th><th scope=\"col\">Scheduler"
        "</th><th scope=\"col\">Score</th><th scope=\"col\">Headline calls</th></tr></thead><tbody>",
        esc(a.baseline));
    int rank = 0;
    for (const auto& [name, score] : a.overall_ranking) {
      out += fmt::format("<tr data-scheduler=\"{0}\"><td class=\"rank\">{1}</td><th scope=\"row\">{0}</th>"
                         "<td class=\"num\" data-score=\"{2}\">{3:.3f}</td><td>{4}</td></tr>",
                         esc(name), ++rank, exact(score), score,
                         name == a.baseline ? "baseline" : calls_cell(headline_calls(a, name)));
    }
    out += "</tbody></table></div>";
  }
  return out + method(in) + "</section>";
}

std::string list_items(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "<li>" + esc(i) + "</li>";
  return out;
}

std::string warnings_section(const ReportInput& in) {
  const auto all = warnings(in);
  std::string out = "<section id=\"warnings\" aria-labelledby=\"warnings-h\"><h2 id=\"warnings-h\">Warnings and "
                    "notes</h2>";
  out += all.empty() ? "<p>No warnings.</p>" : "<div class=\"box\"><ul class=\"warnings\">" + list_items(all) + "</ul></div>";
  if (!in.notes.empty()) out += "<ul class=\"notes\">" + list_items(in.notes) + "</ul>";
  return out + "</section>";
}

// The text of the estimate cell is exactly format_estimate(summary).
std::string estimate_cell(const std::string& metric, const stats::Summary& s) {
  const auto f = format_estimate(s.median, s.ci_low, s.ci_high);
  const auto interval = s.n < 2 ? std::string("[n=1: no interval]") : fmt::format("[{}, {}]", f.low, f.high);
  return fmt::format("<td class=\"estimate\" data-metric=\"{}\" data-n=\"{}\" data-median=\"{}\" data-ci-low=\"{}\" "
                     "data-ci-high=\"{}\"><span class=\"median\">{}</span> <span class=\"ci\">{}</span></td>",
                     esc(metric), s.n, exact(s.median), exact(s.ci_low), exact(s.ci_high), f.median, interval);
}

std::string call_class(const stats::MetricResult& m) {
  if (!m.vs_baseline) return "";
  switch (m.vs_baseline->call) {
    case stats::Call::better: return " better";
    case stats::Call::worse: return " worse";
    case stats::Call::no_difference: return " no-difference";
    case stats::Call::inconclusive: return " inconclusive";
  }
  return "";
}

// The change cell: the call text, then the ratio with its interval and the p-values.
std::string change_cell(const stats::MetricResult& m, bool is_baseline) {
  const auto text = change_text(m, is_baseline);
  if (!m.vs_baseline) return fmt::format("<td class=\"change\"><span class=\"call\">{}</span></td>", esc(text));
  const auto& c = *m.vs_baseline;
  const auto ratio = format_estimate(c.ratio, c.ratio_ci_low, c.ratio_ci_high);
  const auto detail = fmt::format("ratio {} [{}, {}], p {} (Holm {})", ratio.median, ratio.low, ratio.high,
                                  format_p(c.p_value), format_p(c.p_adjusted));
  return fmt::format(
      "<td class=\"change{}\" data-metric=\"{}\" data-call=\"{}\" data-ratio=\"{}\" data-ratio-ci-low=\"{}\" "
      "data-ratio-ci-high=\"{}\" data-p=\"{}\" data-p-adjusted=\"{}\" title=\"{}: {}\"><span class=\"call\">{}</span>"
      "<span class=\"detail\">{}</span></td>",
      call_class(m), esc(m.metric), esc(std::string(stats::to_string(c.call))), exact(c.ratio), exact(c.ratio_ci_low),
      exact(c.ratio_ci_high), exact(c.p_value), exact(c.p_adjusted), esc(std::string(stats::to_string(c.call))),
      esc(c.reason.empty() ? detail : c.reason), esc(text), esc(detail));
}

std::string results_table(const ReportInput& in, const stats::WorkloadAnalysis& w) {
  const auto& baseline = in.analysis.baseline;
  const auto columns = column_metrics(w);
  std::string head1 = "<tr><th scope=\"col\" rowspan=\"2\">Rank</th><th scope=\"col\" rowspan=\"2\">Scheduler</th>"
                      "<th scope=\"col\" rowspan=\"2\">n</th>";
  std::string head2 = "<tr>";
  for (const auto& metric : columns) {
    std::string unit;
    for (const auto& s : w.schedulers) {
      if (const auto* m = find_metric(s, metric); m && unit.empty()) {
        unit = m->unit.empty() ? direction_text(m->direction) : m->unit + ", " + direction_text(m->direction);
      }
    }
    head1 += fmt::format("<th scope=\"colgroup\" colspan=\"2\">{}<span class=\"unit\">{}</span></th>", esc(metric),
                         esc(unit));
    head2 += fmt::format("<th scope=\"col\">median [95% interval]</th><th scope=\"col\">vs {}</th>", esc(baseline));
  }
  std::string body;
  for (const auto* s : by_rank(w)) {
    std::size_t n = 0;
    std::string cells;
    for (const auto& metric : columns) {
      const auto* m = find_metric(*s, metric);
      if (!m) {
        cells += "<td class=\"estimate missing\">&ndash;</td><td class=\"change\"></td>";
        continue;
      }
      n = std::max(n, m->summary.n);
      cells += estimate_cell(metric, m->summary) + change_cell(*m, is_baseline(in, s->scheduler));
    }
    body += fmt::format("<tr data-scheduler=\"{0}\"><td class=\"rank\">{1}</td><th scope=\"row\">{0}</th>"
                        "<td class=\"num\">{2}</td>{3}</tr>",
                        esc(s->scheduler), s->rank > 0 ? std::to_string(s->rank) : "&ndash;", n, cells);
  }
  return fmt::format("<div class=\"table-wrap\"><table class=\"results\" data-workload=\"{}\"><caption>{}: median "
                     "of the repetitions [95% interval] per scheduler, best first; change against {}</caption>"
                     "<thead>{}</tr>{}</tr></thead><tbody>{}</tbody></table></div>",
                     esc(w.workload), esc(w.workload), esc(baseline), head1, head2, body);
}

std::string all_metrics_table(const ReportInput& in, const stats::WorkloadAnalysis& w) {
  const auto& baseline = in.analysis.baseline;
  std::string body;
  for (const auto& s : w.schedulers) {
    for (const auto& m : s.metrics) {
      const auto& sum = m.summary;
      body += fmt::format("<tr data-scheduler=\"{}\"><th scope=\"row\">{}</th><td><code>{}</code></td><td>{}</td>"
                          "<td>{}</td><td class=\"num\">{}</td>{}<td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td><td class=\"num\">{}</td>{}<td class=\"why\">{}</td></tr>",
                          esc(s.scheduler), esc(s.scheduler), esc(m.metric), esc(m.unit),
                          esc(direction_text(m.direction)), sum.n, estimate_cell(m.metric, sum),
                          format_percent(sum.cv), format_number(sum.min), format_number(sum.max),
                          change_cell(m, is_baseline(in, s.scheduler)),
                          esc(m.vs_baseline ? m.vs_baseline->reason : ""));
    }
  }
  return fmt::format("<details class=\"all-metrics\"><summary>Every metric ({} schedulers)</summary><div "
                     "class=\"table-wrap\"><table><caption>{}: every metric, median [95% interval], coefficient of "
                     "variation, range, and the change against {}</caption><thead><tr><th scope=\"col\">Scheduler</th>"
                     "<th scope=\"col\">Metric</th><th scope=\"col\">Unit</th><th scope=\"col\">Direction</th>"
                     "<th scope=\"col\">n</th><th scope=\"col\">median [95% interval]</th><th scope=\"col\">CV</th>"
                     "<th scope=\"col\">min</th><th scope=\"col\">max</th><th scope=\"col\">vs {}</th><th scope=\"col\">why"
                     "</th></tr></thead>"
                     "<tbody>{}</tbody></table></div></details>",
                     w.schedulers.size(), esc(w.workload), esc(baseline), esc(baseline), body);
}

// Every counted repetition of `metric` on `workload`, per scheduler in the analysis's order.
std::vector<StripSeries> strip_series(const ReportInput& in, const stats::WorkloadAnalysis& w,
                                      const std::string& metric, const Colors& colors) {
  std::vector<StripSeries> out;
  for (const auto& s : w.schedulers) {
    StripSeries series{s.scheduler, colors.of(s.scheduler), {}, std::nullopt};
    if (const auto* m = find_metric(s, metric)) series.summary = m->summary;
    for (const auto& t : in.trials) {
      if (t.workload != w.workload || t.scheduler != s.scheduler || !counts_in_analysis(t)) continue;
      for (const auto& tm : t.metrics) {
        if (tm.name == metric) series.repetitions.push_back({tm.value, t.seq});
      }
    }
    out.push_back(std::move(series));
  }
  // The baseline first: the dashed reference line is its median.
  std::stable_partition(out.begin(), out.end(), [&](const StripSeries& s) { return is_baseline(in, s.scheduler); });
  return out;
}

std::string strip_figure(const ReportInput& in, const stats::WorkloadAnalysis& w, const std::string& metric,
                         const std::string& id, const Colors& colors) {
  std::string unit, direction;
  for (const auto& s : w.schedulers) {
    if (const auto* m = find_metric(s, metric)) unit = m->unit, direction = direction_text(m->direction);
  }
  // The unit alone on the axis and in each dot's tooltip; the caption names the metric.
  const ChartText text{id, fmt::format("{} on {}: every repetition per scheduler", metric, w.workload), unit};
  return fmt::format("<figure class=\"strip\" data-metric=\"{}\">{}<figcaption>{} ({}{})</figcaption></figure>",
                     esc(metric), strip_plot_svg(text, strip_series(in, w, metric, colors)), esc(metric),
                     unit.empty() ? "" : esc(unit) + ", ", esc(direction));
}

std::string strip_plots(const ReportInput& in, const stats::WorkloadAnalysis& w, const std::string& prefix,
                        const Colors& colors) {
  const auto headline = column_metrics(w);
  std::vector<std::string> others;
  for (const auto& s : w.schedulers) {
    for (const auto& m : s.metrics) {
      if (std::find(headline.begin(), headline.end(), m.metric) == headline.end() &&
          std::find(others.begin(), others.end(), m.metric) == others.end()) {
        others.push_back(m.metric);
      }
    }
  }
  // The legend once, not under each of a few hundred charts.
  std::string out = "<h3>Every repetition</h3><p class=\"legend\">Each dot one repetition; bar: median; band: its 95% "
                    "interval; dashed line: the baseline's median.</p>";
  std::size_t k = 0;
  for (const auto& metric : headline) out += strip_figure(in, w, metric, fmt::format("{}-strip-{}", prefix, k++), colors);
  if (!others.empty()) {
    out += fmt::format("<details class=\"other-strips\"><summary>Every repetition of the other {} metrics</summary>",
                       others.size());
    for (const auto& metric : others) out += strip_figure(in, w, metric, fmt::format("{}-strip-{}", prefix, k++), colors);
    out += "</details>";
  }
  return out;
}

struct Pooled {
  std::string name, unit;
  std::vector<PercentileSeries> series;
  std::vector<int> trials;  // per series
};

std::string code_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "<code>" : ", <code>") + esc(n) + "</code>";
  return out;
}

// Histograms of the counted trials, pooled per name and scheduler.
std::vector<Pooled> pooled_histograms(const ReportInput& in, const stats::WorkloadAnalysis& w, const Colors& colors) {
  std::vector<Pooled> out;
  for (const auto& t : in.trials) {
    if (t.workload != w.workload || !counts_in_analysis(t)) continue;
    for (const auto& h : t.histograms) {
      auto p = std::find_if(out.begin(), out.end(), [&](const Pooled& x) { return x.name == h.name; });
      if (p == out.end()) p = out.insert(out.end(), Pooled{h.name, h.unit, {}, {}});
      auto s = std::find_if(p->series.begin(), p->series.end(),
                            [&](const PercentileSeries& x) { return x.scheduler == t.scheduler; });
      if (s == p->series.end()) {
        p->series.push_back({t.scheduler, colors.of(t.scheduler), {}});
        p->trials.push_back(0);
        s = p->series.end() - 1;
      }
      s->hist.merge(h.hist);
      ++p->trials[static_cast<std::size_t>(s - p->series.begin())];
    }
  }
  return out;
}

constexpr double kTablePercentiles[] = {50, 90, 99, 99.9, 99.99};

// An empty histogram has no percentiles: a 0 would be a measurement nobody made.
std::string percentile_cells(const stats::LogLinearHistogram& hist) {
  if (hist.empty()) return fmt::format("<td class=\"na\" colspan=\"{}\">no samples</td>", std::size(kTablePercentiles));
  std::string cells;
  for (const double q : kTablePercentiles) {
    const double v = hist.percentile(q);
    cells += fmt::format("<td class=\"num\" data-percentile=\"{:g}\" data-value=\"{}\">{}</td>", q, exact(v),
                         format_number(v));
  }
  return cells;
}

std::string percentile_table(const Pooled& p) {
  std::string head, body;
  for (const double q : kTablePercentiles) head += fmt::format("<th scope=\"col\">p{:g}</th>", q);
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const auto& s = p.series[i];
    body += fmt::format("<tr data-scheduler=\"{0}\"><th scope=\"row\">{0}</th><td class=\"num\">{1}</td>"
                        "<td class=\"num\" data-count=\"{2}\">{3}</td>{4}</tr>",
                        esc(s.scheduler), p.trials[i], s.hist.count(), format_number(static_cast<double>(s.hist.count())),
                        percentile_cells(s.hist));
  }
  return fmt::format("<div class=\"table-wrap\"><table class=\"percentiles\" data-histogram=\"{}\"><caption>{} ({}) "
                     "percentiles, pooled over the repetitions (log-linear buckets, within 1.6%)</caption><thead><tr>"
                     "<th scope=\"col\">Scheduler</th><th scope=\"col\">repetitions</th><th scope=\"col\">samples</th>{}"
                     "</tr></thead><tbody>{}</tbody></table></div>",
                     esc(p.name), esc(p.name), esc(p.unit), head, body);
}

std::string distributions(const ReportInput& in, const stats::WorkloadAnalysis& w, const std::string& prefix,
                          const Colors& colors) {
  auto pooled = pooled_histograms(in, w, colors);
  // A histogram no repetition put a sample in (an event that never happened to the workload's
  // tasks) has nothing to draw: named in one line, not shown as an empty chart.
  std::vector<std::string> never_sampled;
  std::erase_if(pooled, [&](const Pooled& p) {
    const bool empty = std::all_of(p.series.begin(), p.series.end(), [](const auto& s) { return s.hist.empty(); });
    if (empty) never_sampled.push_back(p.name);
    return empty;
  });
  if (pooled.empty() && never_sampled.empty()) return "";
  std::string out = "<h3>Latency distributions</h3>";
  if (!never_sampled.empty()) {
    out += fmt::format("<p class=\"no-samples\">No sample in any repetition of any scheduler: {}.</p>",
                       code_list(never_sampled));
  }
  for (std::size_t i = 0; i < pooled.size(); ++i) {
    const auto& p = pooled[i];
    const ChartText text{fmt::format("{}-dist-{}", prefix, i), fmt::format("{} on {}: value at each percentile",
                                                                             p.name, w.workload), p.unit};
    out += fmt::format("<figure class=\"distribution\" data-histogram=\"{}\">{}<figcaption>{} ({}): value at each "
                       "percentile, pooled over the repetitions of each scheduler; percentile axis in nines, value axis "
                       "logarithmic.</figcaption></figure>",
                       esc(p.name), percentile_plot_svg(text, p.series), esc(p.name), esc(p.unit));
    out += percentile_table(p);
  }
  return out;
}

// One item per root cause, naming the metrics it took (see unavailable_causes).
std::string unavailable_list(const ReportInput& in, const std::string& workload) {
  std::vector<UnavailableEntry> here;
  for (auto& u : unavailable_metrics(in.trials)) {
    if (u.workload == workload) here.push_back(std::move(u));
  }
  std::string items;
  for (const auto& c : unavailable_causes(here)) {
    auto names = code_list(c.metrics);
    if (!c.derived.empty()) {
      names += fmt::format("{}{} derived ({})", names.empty() ? "" : " and ", c.derived.size(), code_list(c.derived));
    }
    items += fmt::format("<li>{}: {} <span class=\"muted\">(on {})</span></li>", names, esc(c.cause),
                         esc(joined(c.schedulers)));
  }
  return items.empty() ? "" : "<h3>Not available on this host</h3><ul class=\"unavailable\">" + items + "</ul>";
}

std::string workload_params(const ReportInput& in, const std::string& workload) {
  for (const auto& t : in.trials) {
    if (t.workload != workload || !t.workload_params.is_object() || t.workload_params.empty()) continue;
    std::vector<std::pair<std::string, std::string>> rows;
    flatten(t.workload_params, "", rows);
    std::string text;
    for (const auto& [k, v] : rows) text += fmt::format("{}<code>{}={}</code>", text.empty() ? "" : " ", esc(k), esc(v));
    return "<p class=\"params\">Parameters: " + text + "</p>";
  }
  return "";
}

std::string workload_section(const ReportInput& in, std::size_t index, const Colors& colors) {
  const auto& w = in.analysis.workloads[index];
  const auto id = anchor("workload", index, w.workload);
  std::string out = fmt::format("<section class=\"workload\" id=\"{0}\" data-workload=\"{1}\" aria-labelledby=\"{0}-h\">"
                                "<h2 id=\"{0}-h\">{1}</h2>",
                                id, esc(w.workload));
  out += workload_params(in, w.workload);
  out += results_table(in, w);
  out += all_metrics_table(in, w);
  // Charts' ids by the workload's position only: each is written four times in its chart.
  const auto charts = fmt::format("w{}", index);
  out += strip_plots(in, w, charts, colors);
  out += distributions(in, w, charts, colors);
  out += unavailable_list(in, w.workload);
  return out + "</section>";
}

std::string seconds(double s) { return fmt::format("{:.2f}", s); }

std::string trials_section(const ReportInput& in) {
  std::string body;
  for (const auto& t : in.trials) {
    const bool left_out = t.status != store::TrialStatus::ok;
    const auto tail = t.stderr_tail.empty()
                          ? std::string()
                          : "<details><summary>stderr</summary><pre>" + esc(t.stderr_tail) + "</pre></details>";
    body += fmt::format("<tr class=\"{}\" data-seq=\"{}\" data-status=\"{}\"><td class=\"num\">{}</td><td class=\"num\">"
                        "{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"status-{}\">{}</td><td class=\"num\">{}</td>"
                        "<td class=\"num\">{}</td><td>{}</td><td class=\"reason\">{}{}</td></tr>",
                        left_out ? "left-out" : "", t.seq, esc(std::string(to_string(t.status))), t.seq, t.round, esc(std::string(to_string(t.kind))), esc(t.scheduler),
                        esc(t.workload), esc(std::string(to_string(t.status))), esc(std::string(to_string(t.status))), seconds(t.wall_s), seconds(t.overhead_s),
                        esc(t.started_utc), esc(t.reason), tail);
  }
  return fmt::format(
      "<section id=\"trials\" aria-labelledby=\"trials-h\"><h2 id=\"trials-h\">Trials</h2><p>Every trial in the "
      "order it ran; only trials that ended <code>ok</code> and were measured count in the statistics.</p>"
      "<label class=\"filter\"><input type=\"checkbox\" id=\"only-left-out\"> Show only trials that did not end ok"
      "</label><div class=\"table-wrap\"><table id=\"trials-table\"><caption>{} trials</caption><thead><tr>"
      "<th scope=\"col\">seq</th><th scope=\"col\">round</th><th scope=\"col\">kind</th><th scope=\"col\">{}"
      "</th><th scope=\"col\">workload</th><th scope=\"col\">status</th><th scope=\"col\">wall (s)</th>"
      "<th scope=\"col\">overhead (s)</th><th scope=\"col\">started</th><th scope=\"col\">reason</th></tr></thead>"
      "<tbody>{}</tbody></table></div></section>",
      in.trials.size(), is_tune_report(in) ? "configuration" : "scheduler", body);
}

std::string host_section(const ReportInput& in) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(in.run.host, "", rows);
  return fmt::format("<section id=\"host\" aria-labelledby=\"host-h\"><h2 id=\"host-h\">Host and plan</h2>{}"
                     "<details><summary>Plan</summary><pre>{}</pre></details></section>",
                     facts(rows), esc(in.run.plan.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)));
}

// A histogram's [[index, count], ...] as runs of consecutive buckets, [[first index, [count,
// ...]], ...], a short gap inside a run as zeros: the same counts in a third of the bytes
// (results.json keeps the pairs).
nlohmann::json bucket_runs(const nlohmann::json& pairs) {
  constexpr int kLongestGap = 4;  // beyond it a new run's header is shorter than the zeros
  auto runs = nlohmann::json::array();
  int next = 0;  // the index after the last one written
  for (const auto& pair : pairs) {
    const int index = pair.at(0).get<int>();
    if (runs.empty() || index - next > kLongestGap) runs.push_back({index, nlohmann::json::array()});
    auto& counts = runs.back()[1];
    for (; !counts.empty() && next < index; ++next) counts.push_back(0);
    counts.push_back(pair.at(1));
    next = index + 1;
  }
  return runs;
}

// A trial's metric as its value alone when its unit, direction and source are the ones in
// `facts` (the first trial's that had the metric): the same data in a third of the bytes. A
// metric described otherwise keeps its whole object.
void metric_values(nlohmann::json& metrics, nlohmann::json& facts) {
  for (auto& [name, m] : metrics.items()) {
    auto described = m;
    described.erase("value");
    if (!facts.contains(name)) facts[name] = described;
    if (facts[name] == described) m = nlohmann::json(m.at("value"));
  }
}

// A trial's reasons for unavailable metrics as indexes into `reasons`: every trial of a run
// gives the same dozen long reasons.
void reason_indexes(nlohmann::json& unavailable, nlohmann::json& reasons) {
  for (auto& [name, reason] : unavailable.items()) {
    auto at = std::find(reasons.begin(), reasons.end(), reason);
    if (at == reasons.end()) at = reasons.insert(reasons.end(), reason);
    reason = at - reasons.begin();
  }
}

std::string embedded_data(const ReportInput& in) {
  auto trials = nlohmann::json::array();
  auto facts = nlohmann::json::object();
  auto reasons = nlohmann::json::array();
  for (const auto& t : in.trials) {
    auto trial = store::trial_to_json(t);
    for (auto& h : trial.at("histograms")) h["buckets"] = bucket_runs(h.at("buckets"));
    metric_values(trial.at("metrics"), facts);
    reason_indexes(trial.at("unavailable"), reasons);
    trials.push_back(std::move(trial));
  }
  const nlohmann::json data = {{"run", store::run_info_to_json(in.run)},
                               {"analysis", analysis_to_json(in.analysis)},
                               {"metrics", facts},
                               {"unavailable_reasons", reasons},
                               {"trials", trials},
                               {"notes", in.notes}};
  return "<script type=\"application/json\" id=\"scxlab-data\">" +
         script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "</script>";
}

std::string page_open(const ReportInput& in) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"scxlab {}\">"
      "<title>scxlab {} report, {}, {}</title><style>{}</style></head><body>"
      "<a class=\"skip\" href=\"#main\">Skip to the results</a>",
      esc(in.run.scxlab_version), esc(in.run.kind), esc(in.run.host.is_object() ? in.run.host.value("hostname", "") : ""),
      esc(in.run.created_utc), asset("report.css"));
}

std::string page_close(const ReportInput& in) {
  return fmt::format("<footer>Written by scxlab {} from the results DB of run {}. The data behind this page is "
                     "embedded in it as JSON (script#scxlab-data: results.json's, except that a trial's metric is "
                     "its value alone when its unit, direction and source are those under \"metrics\", an "
                     "unavailable metric's reason is an index into \"unavailable_reasons\", and a histogram's "
                     "buckets are runs [first index, [count, ...]]).</footer>",
                     esc(in.run.scxlab_version), esc(in.run.uuid)) +
         embedded_data(in) + "<script>" + asset("report.js") + "</script></body></html>\n";
}

}  // namespace html_detail

using namespace html_detail;

std::string render_html(const ReportInput& in) {
  if (is_tune_report(in)) return render_tune_html(in);
  const Colors colors(in);
  std::string out = page_open(in);
  out += header(in) + nav(in) + "<main id=\"main\">" + in.lead_html + summary(in) + warnings_section(in);
  for (std::size_t i = 0; i < in.analysis.workloads.size(); ++i) out += workload_section(in, i, colors);
  out += trials_section(in) + host_section(in) + "</main>";
  return out + page_close(in);
}

void write_html_report(const std::string& path, const ReportInput& input) {
  base::write_file_atomically(path, render_html(input));
}

}  // namespace scxlab::reports
