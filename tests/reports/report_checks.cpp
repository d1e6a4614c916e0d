#include "report_checks.hpp"

#include <map>

#include "catch.hpp"
#include "dom.hpp"
#include "reports/format.hpp"

namespace scxlab::test {
namespace {

// Parses an exact() attribute; NaN stays NaN.
double number(const std::string& s) { return s == "NaN" ? std::nan("") : std::stod(s); }

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

const stats::SchedulerResult& scheduler_of(const stats::WorkloadAnalysis& w, const std::string& name) {
  for (const auto& s : w.schedulers) {
    if (s.scheduler == name) return s;
  }
  FAIL("no scheduler " << name << " in the analysis of " << w.workload);
  throw;
}

const stats::WorkloadAnalysis& workload_of(const reports::ReportInput& in, const std::string& name) {
  for (const auto& w : in.analysis.workloads) {
    if (w.workload == name) return w;
  }
  FAIL("no workload " << name << " in the analysis");
  throw;
}

void check_estimate(const Element& td, const stats::MetricResult& m) {
  INFO("estimate cell of " << m.metric);
  CHECK(number(td.attr("data-median")) == m.summary.median);
  CHECK(number(td.attr("data-ci-low")) == m.summary.ci_low);
  CHECK(number(td.attr("data-ci-high")) == m.summary.ci_high);
  CHECK(std::stoul(td.attr("data-n")) == m.summary.n);
  CHECK(text_of(td.inner) == reports::format_estimate(m.summary));
}

void check_change(const Element& td, const stats::MetricResult& m, bool is_baseline) {
  INFO("change cell of " << m.metric);
  const auto call = elements(td.inner, "span");
  REQUIRE(!call.empty());
  CHECK(text_of(call[0].inner) == reports::change_text(m, is_baseline));
  if (!m.vs_baseline) return;
  const auto& c = *m.vs_baseline;
  CHECK(same(number(td.attr("data-ratio")), c.ratio));
  CHECK(same(number(td.attr("data-ratio-ci-low")), c.ratio_ci_low));
  CHECK(same(number(td.attr("data-ratio-ci-high")), c.ratio_ci_high));
  CHECK(number(td.attr("data-p")) == c.p_value);
  CHECK(number(td.attr("data-p-adjusted")) == c.p_adjusted);
  CHECK(td.attr("data-call") == stats::to_string(c.call));
}

// Section -> its inner HTML, by data-workload.
std::map<std::string, std::string> workload_sections(const std::string& html) {
  std::map<std::string, std::string> out;
  for (const auto& s : elements(html, "section")) {
    if (s.has_class("workload")) out[s.attr("data-workload")] = s.inner;
  }
  return out;
}

}  // namespace

int check_results_tables(const std::string& html, const reports::ReportInput& in) {
  int cells = 0;
  int tables = 0;
  for (const auto& table : elements(html, "table")) {
    if (!table.has_class("results")) continue;
    ++tables;
    const auto& w = workload_of(in, table.attr("data-workload"));
    const auto columns = reports::column_metrics(w);
    int rows = 0;
    for (const auto& tr : elements(table.inner, "tr")) {
      if (tr.attr("data-scheduler").empty()) continue;
      ++rows;
      const auto& s = scheduler_of(w, tr.attr("data-scheduler"));
      const auto estimates = elements(tr.inner, "td");
      std::size_t column = 0;
      for (const auto& td : estimates) {
        if (!td.has_class("estimate")) continue;
        REQUIRE(column < columns.size());
        CHECK(td.attr("data-metric") == columns[column]);
        const auto* m = reports::find_metric(s, columns[column]);
        REQUIRE(m);
        check_estimate(td, *m);
        ++column;
        ++cells;
      }
      CHECK(column == columns.size());
      for (const auto& td : estimates) {
        if (!td.has_class("change") || td.attr("data-metric").empty()) continue;
        check_change(td, *reports::find_metric(s, td.attr("data-metric")), s.scheduler == in.analysis.baseline);
      }
    }
    CHECK(rows == static_cast<int>(w.schedulers.size()));
  }
  CHECK(tables == static_cast<int>(in.analysis.workloads.size()));
  return cells;
}

int check_strip_plots(const std::string& html, const reports::ReportInput& in) {
  int figures = 0;
  for (const auto& [workload, section] : workload_sections(html)) {
    for (const auto& figure : elements(section, "figure")) {
      if (!figure.has_class("strip")) continue;
      ++figures;
      const auto metric = figure.attr("data-metric");
      INFO(workload << " / " << metric);
      std::map<int, double> want, got;
      for (const auto& t : in.trials) {
        if (t.workload != workload || !reports::counts_in_analysis(t)) continue;
        for (const auto& m : t.metrics) {
          if (m.name == metric) want[t.seq] = m.value;
        }
      }
      for (const auto& dot : elements(figure.inner, "circle")) got[std::stoi(dot.attr("data-seq"))] = number(dot.attr("data-value"));
      CHECK(got == want);
      CHECK(elements(figure.inner, "svg").size() == 1);
    }
  }
  return figures;
}

int check_distributions(const std::string& html, const reports::ReportInput& in) {
  int tables = 0;
  for (const auto& [workload, section] : workload_sections(html)) {
    for (const auto& table : elements(section, "table")) {
      if (!table.has_class("percentiles")) continue;
      ++tables;
      const auto name = table.attr("data-histogram");
      std::map<std::string, stats::LogLinearHistogram> pooled;
      for (const auto& t : in.trials) {
        if (t.workload != workload || !reports::counts_in_analysis(t)) continue;
        for (const auto& h : t.histograms) {
          if (h.name == name) pooled[t.scheduler].merge(h.hist);
        }
      }
      int rows = 0;
      for (const auto& tr : elements(table.inner, "tr")) {
        const auto scheduler = tr.attr("data-scheduler");
        if (scheduler.empty()) continue;
        ++rows;
        REQUIRE(pooled.count(scheduler));
        const auto& h = pooled.at(scheduler);
        // No percentile made up for a scheduler without a sample.
        if (h.empty()) CHECK(text_of(tr.inner).find("no samples") != std::string::npos);
        for (const auto& td : elements(tr.inner, "td")) {
          if (!td.attr("data-count").empty()) CHECK(std::stoull(td.attr("data-count")) == h.count());
          if (td.attr("data-percentile").empty()) continue;
          const double v = h.percentile(std::stod(td.attr("data-percentile")));
          CHECK(number(td.attr("data-value")) == v);
          CHECK(text_of(td.inner) == reports::format_number(v));
        }
      }
      CHECK(rows == static_cast<int>(pooled.size()));
    }
    for (const auto& figure : elements(section, "figure")) {
      if (!figure.has_class("distribution")) continue;
      int curves = 0;
      for (const auto& path : elements(figure.inner, "path")) curves += path.has_class("curve");
      CHECK(curves >= 1);
    }
  }
  return tables;
}

void check_self_contained(const std::string& html) {
  for (const char* forbidden : {"http:", "https:", "ftp:", "src=", "<link", "@import", "url("}) {
    INFO("the report holds " << forbidden);
    CHECK(html.find(forbidden) == std::string::npos);
  }
  for (const auto& a : elements(html, "a")) CHECK(a.attr("href").rfind("#", 0) == 0);  // in-page links only
}

}  // namespace scxlab::test
