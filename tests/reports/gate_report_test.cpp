// The gate's renderings of one constructed verdict: junit.xml validates against the JUnit
// schema and fails exactly the regressions, summary.md and gate.json show the same verdict for
// every metric, the HTML section leads with the outcome, and a NaN change is never printed.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "catch.hpp"
#include "process.hpp"
#include "reports/gate_report.hpp"

using namespace scxlab;
using namespace scxlab::reports;
namespace fs = std::filesystem;

namespace {

stats::MetricVerdict verdict(const std::string& workload, const std::string& metric, stats::Verdict v, double change) {
  stats::MetricVerdict m;
  m.workload = workload;
  m.scheduler = "candidate";
  m.metric = metric;
  m.unit = "s";
  m.direction = Direction::lower_is_better;
  m.verdict = v;
  m.baseline_median = 2.0;
  m.candidate_median = 2.0 * (1 + (std::isfinite(change) ? change : 0));
  m.baseline_n = m.candidate_n = 10;
  m.change = change;
  m.change_low = change - 0.02;
  m.change_high = change + 0.02;
  m.p_adjusted = v == stats::Verdict::regression || v == stats::Verdict::improvement ? 0.004 : 0.6;
  m.reason = "a reason with <markup> & a | pipe";
  return m;
}

GateReport report_with(stats::Outcome outcome, std::vector<stats::MetricVerdict> verdicts) {
  GateReport r;
  r.verdict = {outcome, std::move(verdicts)};
  r.baseline = "baseline";
  r.baseline_source = "interleaved with the candidate in this run";
  r.candidates = {"candidate"};
  r.threshold = 0.03;
  r.repetitions = 7;
  r.max_repetitions = 20;
  r.exit_code = outcome == stats::Outcome::regression ? 1 : outcome == stats::Outcome::inconclusive ? 3 : 0;
  r.run_uuid = "3f2a9c1e-0000-4000-8000-000000000000";
  r.created_utc = "2026-12-02T10:00:00Z";
  r.hostname = "runner";
  r.host = "kernel 6.18, test CPU";
  return r;
}

// One of each verdict, one without a ratio, and a second workload.
GateReport mixed() {
  return report_with(stats::Outcome::regression,
                     {verdict("messaging", "time_s", stats::Verdict::regression, 0.12),
                      verdict("messaging", "wakeup_p99_us", stats::Verdict::no_change, 0.004),
                      verdict("request", "p99_ms", stats::Verdict::improvement, -0.08),
                      verdict("request", "p50_ms", stats::Verdict::inconclusive, std::numeric_limits<double>::quiet_NaN()),
                      verdict("frames", "fps", stats::Verdict::inconclusive, 0.01)});
}

std::string render(const GateReporter& reporter, const GateReport& r) { return reporter.render(r); }

// "workload/metric" -> verdict, from the Markdown table's rows.
std::map<std::string, std::string> markdown_verdicts(const std::string& md) {
  std::map<std::string, std::string> out;
  const std::regex row(R"(^\| \S+ ([a-z ]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|)");
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) out[m[2].str() + "/" + m[4].str()] = m[1].str();
  }
  return out;
}

// "workload/metric" -> "failure" | "skipped" | "passed", from junit.xml's test cases.
std::map<std::string, std::string> junit_results(const std::string& xml) {
  std::map<std::string, std::string> out;
  const std::regex testcase(R"re(<testcase classname="scxlab\.gate\.([^"]+)" name="candidate: ([^"]+)"[^>]*>(<(failure|skipped))?)re");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), testcase); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out[m[1].str() + "/" + m[2].str()] = m[4].matched ? m[4].str() : "passed";
  }
  return out;
}

}  // namespace

TEST_CASE("junit.xml validates against the JUnit schema and fails exactly the regressions", "[gate-report]") {
  const auto xml = render(JUnitGateReporter{}, mixed());
  const auto dir = test::fresh_temp_dir("gate-junit");
  const auto file = dir / "junit.xml";
  std::ofstream(file) << xml;
  if (test::run_process({"/usr/bin/env", "xmllint", "--version"}).exit_code != 0) {
    WARN("SCXLAB-SKIPPED: xmllint is not installed (scripts/setup.sh --test installs libxml2-utils)");
  } else {
    const auto r = test::run_process({"/usr/bin/env", "xmllint", "--noout", "--schema",
                                      (fs::path(SCXLAB_SOURCE_DIR) / "tests/reports/data/junit.xsd").string(),
                                      file.string()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
  CHECK(xml.find(R"(<testsuites name="scxlab gate" tests="5" failures="1" errors="0" skipped="2")") != std::string::npos);
  const auto results = junit_results(xml);
  CHECK(results == std::map<std::string, std::string>{{"messaging/time_s", "failure"},
                                                      {"messaging/wakeup_p99_us", "passed"},
                                                      {"request/p99_ms", "passed"},
                                                      {"request/p50_ms", "skipped"},
                                                      {"frames/fps", "skipped"}});
  // The failure carries the numbers: the change, its interval, both medians.
  CHECK(xml.find("+12.0% [+10.0%, +14.0%]") != std::string::npos);
  CHECK(xml.find("&lt;markup&gt; &amp;") != std::string::npos);
}

TEST_CASE("summary.md and gate.json show the same verdict for every metric, verdict first", "[gate-report]") {
  const auto report = mixed();
  const auto md = render(MarkdownGateReporter{}, report);
  const auto json = JsonGateReporter::to_json(report);
  std::map<std::string, std::string> from_json;
  for (const auto& v : json["verdicts"]) {
    from_json[v["workload"].get<std::string>() + "/" + v["metric"].get<std::string>()] = v["verdict"].get<std::string>();
  }
  CHECK(from_json.size() == 5);
  CHECK(markdown_verdicts(md) == from_json);
  CHECK(md.rfind("## ❌ scxlab gate: regression\n", 0) == 0);  // the verdict is the first line
  CHECK(md.find("| ❌ regression | messaging |") < md.find("| ⚠️ inconclusive |"));  // regressions first
  CHECK(md.find("a reason with <markup> & a \\| pipe") != std::string::npos);  // a '|' does not end a cell
  CHECK(json["outcome"] == "regression");
  CHECK(json["exit_code"] == 1);
  CHECK(json["verdicts"][3]["change"].is_null());  // NaN has no JSON form
  for (const auto& text : {md, json.dump(), render(JUnitGateReporter{}, report), render_gate_html(report)}) {
    CHECK_FALSE(std::regex_search(text, std::regex(R"(\b(nan|inf)\b)", std::regex::icase)));
  }
}

TEST_CASE("each outcome heads every rendering with its exit code", "[gate-report]") {
  const struct {
    stats::Outcome outcome;
    stats::Verdict verdict;
    const char* word;
    int exit_code;
  } cases[] = {{stats::Outcome::pass, stats::Verdict::no_change, "pass", 0},
               {stats::Outcome::regression, stats::Verdict::regression, "regression", 1},
               {stats::Outcome::inconclusive, stats::Verdict::inconclusive, "inconclusive", 3}};
  for (const auto& c : cases) {
    INFO(c.word);
    const auto report = report_with(c.outcome, {verdict("messaging", "time_s", c.verdict, 0.05)});
    CHECK(gate_headline(report).rfind(std::string(c.word) + ":", 0) == 0);
    CHECK(JsonGateReporter::to_json(report)["exit_code"] == c.exit_code);
    const auto html = render_gate_html(report);
    CHECK(html.find(fmt::format("data-outcome=\"{}\" data-exit-code=\"{}\"", c.word, c.exit_code)) != std::string::npos);
    CHECK(render(MarkdownGateReporter{}, report).find(fmt::format("Exit code {}.", c.exit_code)) != std::string::npos);
    CHECK(render_gate_text(report).find(fmt::format("exit {}", c.exit_code)) != std::string::npos);
  }
}

TEST_CASE("the reporters write one file each, with distinct names", "[gate-report]") {
  std::set<std::string> names;
  for (const auto& r : gate_reporters()) names.insert(r->file_name());
  CHECK(names == std::set<std::string>{"gate.json", "junit.xml", "summary.md"});
}
