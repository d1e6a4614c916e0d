// junit.xml in the JUnit XML format as Jenkins, GitLab and GitHub's test reporters read it
// (Apache Ant's report format): <testsuites> of one <testsuite> per workload, one <testcase>
// per gated metric and candidate; a regression is a <failure> whose message carries the
// numbers, an inconclusive verdict is <skipped> (neither pass nor fail: exit code 3 lets the job
// decide), a pass says its verdict in <system-out>.
#include <algorithm>

#include <fmt/format.h>

#include "reports/format.hpp"
#include "reports/gate_report.hpp"
#include "reports/markup.hpp"

namespace scxlab::reports {
namespace {

// Text for XML 1.0: escaped, and without the control characters it cannot carry at all (a
// trial's reason may hold a scheduler's coloured output).
std::string xml(std::string_view text) {
  std::string kept;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') kept += c;
  }
  return escape_html(kept);
}

std::string numbers(const stats::MetricVerdict& v) {
  const auto unit = v.unit.empty() ? "" : " " + v.unit;
  return fmt::format("change {}; median {}{} (n={}) against {}{} (n={}); p {} after Holm",
                     format_verdict_change(v), format_number(v.candidate_median), unit, v.candidate_n,
                     format_number(v.baseline_median), unit, v.baseline_n, format_p(v.p_adjusted));
}

std::string testcase(const stats::MetricVerdict& v, const GateReport& r) {
  const auto name = fmt::format("{}: {}", v.scheduler, v.metric);
  std::string body;
  switch (v.verdict) {
    case stats::Verdict::regression:
      body = fmt::format("<failure type=\"regression\" message=\"{} is worse than {} beyond {}: {}\">{}</failure>",
                         xml(v.metric), xml(r.baseline), format_percent(r.threshold), xml(numbers(v)), xml(v.reason));
      break;
    case stats::Verdict::inconclusive:
      body = fmt::format("<skipped message=\"inconclusive: {}\"/>", xml(v.reason));
      break;
    case stats::Verdict::improvement:
    case stats::Verdict::no_change:
      body = fmt::format("<system-out>{}: {}; {}</system-out>", to_string(v.verdict), xml(numbers(v)), xml(v.reason));
      break;
  }
  return fmt::format("    <testcase classname=\"scxlab.gate.{}\" name=\"{}\" time=\"0\">{}</testcase>\n", xml(v.workload),
                     xml(name), body);
}

// JUnit's timestamp is a local date-time without a zone: the run's UTC time without its "Z".
std::string timestamp(std::string utc) {
  if (!utc.empty() && utc.back() == 'Z') utc.pop_back();
  return utc;
}

struct Tally {
  int tests = 0, failures = 0, skipped = 0;
  std::string cases;
};

}  // namespace

std::string JUnitGateReporter::render(const GateReport& r) const {
  std::vector<std::pair<std::string, Tally>> suites;  // per workload, first-seen order
  Tally all;
  for (const auto& v : r.verdict.verdicts) {
    auto it = std::find_if(suites.begin(), suites.end(), [&](const auto& s) { return s.first == v.workload; });
    if (it == suites.end()) it = suites.insert(suites.end(), {v.workload, {}});
    for (auto* t : {&it->second, &all}) {
      ++t->tests;
      t->failures += v.verdict == stats::Verdict::regression;
      t->skipped += v.verdict == stats::Verdict::inconclusive;
    }
    it->second.cases += testcase(v, r);
  }
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"scxlab gate\" tests=\"{}\" failures=\"{}\" "
      "errors=\"0\" skipped=\"{}\" time=\"0\">\n",
      all.tests, all.failures, all.skipped);
  for (const auto& [workload, t] : suites) {
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\" "
                       "timestamp=\"{}\" hostname=\"{}\">\n{}  </testsuite>\n",
                       xml(workload), t.tests, t.failures, t.skipped, xml(timestamp(r.created_utc)), xml(r.hostname),
                       t.cases);
  }
  return out + "</testsuites>\n";
}

}  // namespace scxlab::reports
