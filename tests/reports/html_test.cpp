#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "catch.hpp"
#include "dom.hpp"
#include "fixture.hpp"
#include "report_checks.hpp"
#include "reports/html.hpp"
#include "reports/markup.hpp"
#include "reports/terminal.hpp"

using namespace scxlab;
using namespace scxlab::reports;
namespace fs = std::filesystem;

TEST_CASE("the HTML report is self-contained and shows exactly the analysis's and the store's numbers",
          "[reports][html]") {
  test::ReportFixture f("html-numbers");
  const auto html = render_html(f.input);
  test::check_self_contained(html);
  CHECK(test::check_results_tables(html, f.input) == 3 * 2 + 3 * 2);  // schedulers x headline metrics, per workload
  CHECK(test::check_strip_plots(html, f.input) == 4 + 2);             // every metric of each workload
  CHECK(test::check_distributions(html, f.input) == 1);               // wakeup_latency on messaging
}

TEST_CASE("a histogram nobody sampled is named, not drawn empty, and a scheduler without samples says so, not 0",
          "[reports][html]") {
  test::ReportFixture f("html-empty-histogram");
  for (auto& t : f.input.trials) {
    if (t.workload != "messaging") continue;
    t.histograms.push_back({"runq_wait_after_preempt", "us", {}});  // the workload was never preempted
    if (t.scheduler == "eevdf") t.histograms.front().hist = {};
  }
  const auto html = render_html(f.input);
  CHECK(test::check_distributions(html, f.input) == 1);  // wakeup_latency; the empty one has no table
  CHECK(html.find("No sample in any repetition of any scheduler: <code>runq_wait_after_preempt</code>") !=
        std::string::npos);
  int curves = 0;
  for (const auto& figure : test::elements(html, "figure")) {
    if (!figure.has_class("distribution")) continue;
    CHECK(figure.attr("data-histogram") == "wakeup_latency");
    for (const auto& path : test::elements(figure.inner, "path")) curves += path.has_class("curve");
  }
  CHECK(curves == 2);  // the two schedulers with samples
}

TEST_CASE("the HTML report embeds its data as JSON that no text can break out of", "[reports][html]") {
  test::ReportFixture f("html-data");
  const auto html = render_html(f.input);
  // The fixture's failed trial printed "</script>" on stderr: it must not end the script.
  CHECK(test::count_of(html, "</script>") == 2);
  const auto scripts = test::elements(html, "script");
  REQUIRE(scripts.size() == 2);
  CHECK(scripts[0].attr("id") == "scxlab-data");
  CHECK(scripts[0].attr("type") == "application/json");
  const auto data = nlohmann::json::parse(scripts[0].inner);
  CHECK(data["analysis"] == analysis_to_json(f.input.analysis));
  REQUIRE(data["trials"].size() == f.input.trials.size());
  CHECK(data["run"]["uuid"] == f.input.run.uuid);
  const auto failed = std::find_if(data["trials"].begin(), data["trials"].end(),
                                   [](const auto& t) { return t["status"] == "failed"; });
  REQUIRE(failed != data["trials"].end());
  CHECK((*failed)["stderr_tail"] == "frames: cannot allocate </script> buffer\n");
}

TEST_CASE("the HTML report lists every trial with its status and reason, warnings and unavailable metrics",
          "[reports][html]") {
  test::ReportFixture f("html-trials");
  const auto html = render_html(f.input);
  const auto tables = test::elements(html, "table");
  const auto trials = std::find_if(tables.begin(), tables.end(), [](auto& t) { return t.attr("id") == "trials-table"; });
  REQUIRE(trials != tables.end());
  std::vector<test::Element> rows;
  for (const auto& tr : test::elements(trials->inner, "tr")) {
    if (!tr.attr("data-seq").empty()) rows.push_back(tr);
  }
  REQUIRE(rows.size() == f.input.trials.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& t = f.input.trials[i];
    CHECK(rows[i].attr("data-status") == to_string(t.status));
    CHECK(rows[i].has_class("left-out") == (t.status != store::TrialStatus::ok));
    const auto cells = test::elements(rows[i].inner, "td");
    REQUIRE(cells.size() == 10);
    CHECK(test::text_of(cells[5].inner) == to_string(t.status));
    if (t.stderr_tail.empty()) CHECK(test::text_of(cells[9].inner) == t.reason);
    else CHECK(test::text_of(cells[9].inner).rfind(t.reason + "stderr" + t.stderr_tail, 0) == 0);
  }
  for (const auto& w : warnings(f.input)) CHECK(html.find("<li>" + escape_html(w) + "</li>") != std::string::npos);
  for (const auto& c : unavailable_causes(unavailable_metrics(f.input.trials))) {
    CHECK(html.find("<code>" + escape_html(c.metrics.front()) + "</code>: " + escape_html(c.cause) + " <span") !=
          std::string::npos);
  }
  CHECK(html.find("time budget 10m: all 8 repetitions fit") != std::string::npos);
  CHECK(html.find("3 schedulers (eevdf, scx_lavd:gaming, scx_rusty) x 2 workloads (messaging, frames); 8 measured "
                  "rounds, 1 warm-up round; 55 trials") != std::string::npos);
}

TEST_CASE("the HTML report is accessible: language, captions, header scopes, labelled charts", "[reports][html]") {
  test::ReportFixture f("html-a11y");
  const auto html = render_html(f.input);
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  for (const auto& table : test::elements(html, "table")) CHECK(test::elements(table.inner, "caption").size() == 1);
  for (const auto& th : test::elements(html, "th")) CHECK_FALSE(th.attr("scope").empty());
  const auto svgs = test::elements(html, "svg");
  CHECK(svgs.size() == 7);
  for (const auto& svg : svgs) {
    CHECK(svg.attr("role") == "img");
    std::istringstream ids(svg.attr("aria-labelledby"));
    for (std::string id; ids >> id;) CHECK(svg.inner.find("id=\"" + id + "\"") != std::string::npos);
  }
  // Colour is not the only sign of a call: the words are there.
  for (const auto& td : test::elements(html, "td")) {
    if (td.has_class("better")) CHECK(td.inner.find("better") != std::string::npos);
    if (td.has_class("worse")) CHECK(td.inner.find("worse") != std::string::npos);
  }
}

TEST_CASE("write_html_report writes the rendered report atomically", "[reports][html]") {
  test::ReportFixture f("html-write");
  const auto path = (f.dir.path / "report.html").string();
  write_html_report(path, f.input);
  std::stringstream written;
  written << std::ifstream(path).rdbuf();
  CHECK(written.str() == render_html(f.input));
  for (const auto& entry : fs::directory_iterator(f.dir.path)) {
    CHECK(entry.path().filename().string().rfind(".report.html", 0) != 0);
  }
  CHECK_THROWS_WITH(write_html_report((f.dir.path / "no" / "report.html").string(), f.input),
                    Catch::Contains("no/report.html"));
}

TEST_CASE("a run with nothing to compare still renders both reports, saying so", "[reports][html]") {
  ReportInput in;
  in.run.kind = "shootout";
  auto t = store::TrialRecord{};
  t.seq = 0;
  t.kind = store::TrialKind::measure;
  t.status = store::TrialStatus::ejected;
  t.reason = "scx_x was ejected";
  t.scheduler = "scx_x";
  t.workload = "w";
  in.trials = {t};
  const auto html = render_html(in);
  CHECK(html.find("No trial counted in the statistics: nothing to compare.") != std::string::npos);
  CHECK(html.find("w / scx_x: no trial counted in the statistics (1 trial)") != std::string::npos);
  test::check_self_contained(html);
  const auto text = render_terminal(in, {});
  CHECK(text.find("no trial counted in the statistics: nothing to compare") != std::string::npos);
  CHECK(text.find("1 ejected (scx_x was ejected)") != std::string::npos);
}

TEST_CASE("one repetition shows no interval in the HTML report either", "[reports][html]") {
  ReportInput in;
  in.run.kind = "shootout";
  store::TrialRecord t;
  t.kind = store::TrialKind::measure;
  t.status = store::TrialStatus::ok;
  t.scheduler = "eevdf";
  t.workload = "w";
  t.metrics = {{"time_s", 1.5, "s", Direction::lower_is_better, "workload"}};
  in.trials = {t};
  in.analysis = stats::analyse(observations_from_trials(in.trials, {{"w", {"time_s"}}}), stats::AnalysisOptions{});
  const auto html = render_html(in);
  CHECK(html.find("<span class=\"ci\">[n=1: no interval]</span>") != std::string::npos);
}

TEST_CASE("the report of the fixture stays small, its embedded data holds every value, reason and count",
          "[reports][html]") {
  test::ReportFixture f("html-size");
  const auto html = render_html(f.input);
  // 3 schedulers x 2 workloads x 8 repetitions, a histogram per messaging trial: 172 kB when
  // grid lines were <line>s, every strip plot had 6 ticks and its own legend, the embedded
  // histograms were [index, count] pairs and every trial repeated each metric's unit and each
  // unavailable metric's reason; 141 kB without. (A one-scheduler default shootout on a VM:
  // 1.62 MB down to 0.997 MB. A typical report must stay under 1 MB.)
  std::cout << "fixture report: " << html.size() << " bytes\n";
  CHECK(html.size() < 145000);
  const auto open = std::string("<script type=\"application/json\" id=\"scxlab-data\">");
  const auto begin = html.find(open) + open.size();
  const auto data = nlohmann::json::parse(html.substr(begin, html.find("</script>", begin) - begin));
  std::size_t histograms = 0;
  for (std::size_t i = 0; i < f.input.trials.size(); ++i) {
    const auto& trial = f.input.trials[i];
    for (std::size_t k = 0; k < trial.histograms.size(); ++k) {
      std::vector<std::pair<std::uint32_t, std::uint64_t>> decoded;
      for (const auto& run : data["trials"][i]["histograms"][k]["buckets"]) {
        auto index = run[0].get<std::uint32_t>();
        for (const auto& count : run[1]) {
          if (count.get<std::uint64_t>() > 0) decoded.emplace_back(index, count.get<std::uint64_t>());
          ++index;
        }
      }
      CHECK(decoded == trial.histograms[k].hist.nonzero_buckets());
      ++histograms;
    }
    // A metric's value alone when described under "metrics"; reasons by index.
    const auto& embedded = data["trials"][i];
    for (const auto& m : trial.metrics) {
      const auto& v = embedded["metrics"][m.name];
      const auto& described = v.is_object() ? v : data["metrics"][m.name];
      CHECK((v.is_object() ? v["value"] : v).get<double>() == m.value);
      CHECK(described["unit"] == m.unit);
      CHECK(described["direction"] == to_string(m.direction));
      CHECK(described["source"] == m.source);
    }
    for (const auto& u : trial.unavailable) {
      CHECK(data["unavailable_reasons"][embedded["unavailable"][u.name].get<std::size_t>()] == u.reason);
    }
  }
  CHECK(histograms > 0);
}
