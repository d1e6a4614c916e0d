// `scxlab tune` end to end on this host, against an objective with a known optimum: a command
// workload that has the frames workload's render_nice attribute and prints
// (render_nice - 3)^2 + 10. Every evaluation is a real lab trial through the kernel default's
// backend; the answer must be render_nice = 3, validated and recommended. Interrupted and
// resumed, the same seed must give the same answer. A constraint on a knob held at its default
// bounds the search instead of refusing evaluations; a tune whose proposals all fail says so.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "../reports/dom.hpp"
#include "catch.hpp"
#include "pg_scratch.hpp"
#include "process.hpp"
#include "store/store.hpp"

using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

// The workload; with `interrupt_flag`, it also sends SIGINT to scxlab the first time it runs.
fs::path write_quadratic_workload(const fs::path& dir, const std::string& interrupt_flag = "") {
  const auto path = dir / "quadratic.toml";
  std::ofstream out(path);
  out << "name = \"quadratic\"\n"
      << "summary = \"(render_nice - 3)^2 + 10, a known optimum for the tuner\"\n"
      << "command = \"";
  if (!interrupt_flag.empty()) out << "if [ ! -e " << interrupt_flag << " ]; then : > " << interrupt_flag << "; kill -INT $PPID; fi; ";
  out << "echo value $(( ({render_nice} - 3) * ({render_nice} - 3) + 10 ))\"\n"
      << "[[param]]\nname = \"render_nice\"\ntype = \"int\"\ndefault = 0\nmin = -20\nmax = 19\nhelp = \"nice\"\n"
      << "[[metric]]\nname = \"value\"\nunit = \"count\"\ndirection = \"lower_is_better\"\n"
      << "regex = 'value ([0-9]+)'\nheadline = true\n";
  return path;
}

// The kernel default's manifest replaced (by name) with one whose constraint ties the tuned
// render_nice to audio_nice, which is not tuned: the shape of lavd's pinned slice constraint.
// With audio_nice at its default 0, it says render_nice <= 0, away from the objective's
// optimum at 3.
fs::path write_constrained_manifest(const fs::path& dir) {
  const auto manifests = dir / "manifests";
  fs::create_directories(manifests);
  const auto nice_knob = [](const std::string& name, int default_value) {
    return "[[knobs]]\nname = \"" + name + "\"\ntype = \"int\"\ndefault = " + std::to_string(default_value) +
           "\nmin = -20\nmax = 19\ntune_range = [-10, 10]\nunit = \"nice\"\ntune = true\n"
           "target = \"workload:" + name + "\"\nmeaning = \"a nice value\"\n\n";
  };
  std::ofstream(manifests / "eevdf.toml")
      << "name = \"eevdf\"\nsummary = \"The kernel default with a constraint between two task attributes.\"\n"
      << "backend = \"kernel\"\norigin = \"kernel\"\n\n"
      << nice_knob("render_nice", -5) << nice_knob("audio_nice", 0)
      << "[[constraints]]\nexpr = \"audio_nice == 10 || render_nice <= audio_nice\"\n"
      << "help = \"render threads may not be nicer than audio threads\"\n";
  return manifests;
}

std::string read_text(const fs::path& p) {
  std::stringstream s;
  s << std::ifstream(p).rdbuf();
  return s.str();
}

std::size_t position_of_id(const std::string& html, const std::string& id) {
  const auto at = html.find("id=\"" + id + "\"");
  INFO(id);
  REQUIRE(at != std::string::npos);
  return at;
}

// What a person reads, where evaluations could be mistaken for schedulers: the page without
// its embedded data and without the trials table (which names each configuration's label).
std::string readable_text(const std::string& html) {
  const auto trials = html.find("<section id=\"trials\"");
  const auto host = html.find("<section id=\"host\"");
  auto text = html.substr(0, trials) + (host == std::string::npos ? "" : html.substr(host));
  const auto script = text.find("<script");
  return scxlab::test::text_of(text.substr(0, script));
}

// The tune report of `out`: the recommendation first, then convergence, knob effects, every
// explored configuration (one row per evaluation, as stored) and the validation; no
// evaluation named as a scheduler, no nan or inf in its text.
void check_tune_report(const fs::path& out, std::size_t evaluations, const std::string& knob,
                       const std::string& recommended) {
  const auto html = read_text(out / "report.html");
  CHECK(position_of_id(html, "recommendation") < position_of_id(html, "convergence"));
  CHECK(position_of_id(html, "convergence") < position_of_id(html, "effects"));
  CHECK(position_of_id(html, "effects") < position_of_id(html, "explored"));
  CHECK(position_of_id(html, "explored") < position_of_id(html, "validation"));
  const auto text = readable_text(html);
  INFO(text);
  CHECK(text.find("eval-") == std::string::npos);
  CHECK_FALSE(std::regex_search(text, std::regex(R"(\b(nan|inf)\b)", std::regex::icase)));
  const auto results = nlohmann::json::parse(std::ifstream(out / "results.json"));
  std::map<int, const nlohmann::json*> stored;
  for (const auto& t : results.at("trials")) {
    if (t.at("kind") == "tune") stored[t.at("seq").get<int>() + 1] = &t;
  }
  CHECK(stored.size() == evaluations);
  std::size_t rows = 0;
  for (const auto& tr : scxlab::test::elements(html, "tr")) {
    if (tr.attr("data-evaluation").empty()) continue;
    ++rows;
    const auto& t = *stored.at(std::stoi(tr.attr("data-evaluation")));
    const auto cells = scxlab::test::elements(tr.inner, "td");
    REQUIRE(cells.size() == 6);  // #, why, the one knob, objective, outcome, reason
    CHECK(scxlab::test::text_of(cells[2].inner) == std::to_string(t.at("scheduler_config").at("tuner").at(knob).get<int>()));
    CHECK(std::stod(cells[3].attr("data-value")) == t.at("metrics").at("value").at("value").get<double>());
  }
  CHECK(rows == evaluations);
  bool knob_row = false;
  for (const auto& tr : scxlab::test::elements(html, "tr")) {
    if (tr.attr("data-knob") != knob || tr.inner.find("<span class=\"bar\"") != std::string::npos) continue;
    knob_row = true;
    CHECK(scxlab::test::text_of(scxlab::test::elements(tr.inner, "td").at(0).inner) == recommended);
  }
  CHECK(knob_row);
  CHECK_THAT(html, Catch::Contains("<th scope=\"col\">Recommended</th>"));
  CHECK(scxlab::test::count_of(html, "<figure class=\"snippet\"") >= 1);
  CHECK(scxlab::test::count_of(html, "<figure class=\"effect\"") == 1);
}

std::vector<std::string> tune_args(const fs::path& workload, const fs::path& out) {
  return {scxlab_binary(), "tune", "-s", "eevdf", "-w", "command:" + workload.string(), "--knobs", "render_nice",
          "-n", "10", "--validate-reps", "5", "--seed", "11", "-q", "-o", out.string()};
}

}  // namespace

TEST_CASE("tune finds a known optimum through real trials, validates it and recommends it", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("optimum");
  const auto r = run_process(tune_args(write_quadratic_workload(dir), dir / "out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["knobs"]["render_nice"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  CHECK(rec["validation"]["call"].value<std::string>() == "better");
  CHECK(rec["validation"]["ratio"].value<double>().value() == Approx(10.0 / 19.0));
  CHECK(rec["use"]["shootout"].value<std::string>() == "scxlab shootout -s eevdf:render_nice=3");
  fs::remove_all(dir);
}

TEST_CASE("tune interrupted by SIGINT resumes to the answer of an uninterrupted run", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("resume");
  const auto flag = dir / "interrupted-once";
  auto args = tune_args(write_quadratic_workload(dir, flag.string()), dir / "out");
  const auto first = run_process(args);
  INFO(first.err);
  CHECK(first.exit_code == 130);
  CHECK(first.err.find("scxlab tune --resume") != std::string::npos);
  REQUIRE(fs::exists(flag));

  const auto resumed = run_process({scxlab_binary(), "tune", "--resume", (dir / "out").string(), "-q"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  CHECK(rec["knobs"]["render_nice"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  fs::remove_all(dir);
}

TEST_CASE("tune a space file's knobs against a command that prints the objective", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("command");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto r = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                              "echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))", "-n", "10", "--seed", "11", "-q",
                              "-o", (dir / "out").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["knobs"]["x"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  CHECK(rec["objective"].value<std::string>() == "value");
  CHECK(rec["use"]["command"].value<std::string>() == "echo result: $(( (3 - 3) * (3 - 3) + 10 ))");
  CHECK_FALSE(rec.contains("scheduler"));  // a --space tune tunes no scheduler
  check_tune_report(dir / "out", 10, "x", "3");
  // The same report again from the store alone.
  fs::remove(dir / "out" / "report.html");
  const auto again = run_process({scxlab_binary(), "report", (dir / "out").string()});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  check_tune_report(dir / "out", 10, "x", "3");
  fs::remove_all(dir);
}

TEST_CASE("a --space tune whose default scores 0: the validation is a difference with its interval, never nan",
          "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("zero-default");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [0, 6]\ndefault = 0\n";
  const auto r = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                              "echo result: $(( {x} * (6 - {x}) ))", "--maximize", "value", "-n", "8", "--seed", "5",
                              "-o", (dir / "out").string()});
  INFO(r.err);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(std::regex_search(r.out, std::regex(R"(\b(nan|inf)\b)", std::regex::icase)));
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["knobs"]["x"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  const auto verdict = rec["verdict"].value<std::string>().value_or("");
  CHECK(verdict.find("better difference +") != std::string::npos);
  CHECK(verdict.find("(no ratio: the baseline's median is 0)") != std::string::npos);
  check_tune_report(dir / "out", 8, "x", "3");
  fs::remove_all(dir);
}

TEST_CASE("tune refuses a command placeholder that is not a knob, and --space without --command", "[tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("command-bad");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto typo = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                                 "echo {y}", "-o", (dir / "out").string()});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("{y} is not a knob") != std::string::npos);
  const auto alone = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "-o",
                                  (dir / "out2").string()});
  CHECK(alone.exit_code == 2);
  CHECK(alone.err.find("--space and --command go together") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("tune with a constraint on a knob it does not tune: the constraint bounds the search, no evaluation "
          "is refused",
          "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("held-constraint");
  auto args = tune_args(write_quadratic_workload(dir), dir / "out");
  args.erase(std::find(args.begin(), args.end(), "-q"));
  args.insert(args.end(), {"--manifests", write_constrained_manifest(dir).string()});
  const auto r = run_process(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("constraint: render_nice <= 0: from constraint 'audio_nice == 10 || render_nice <= audio_nice' "
                   "with audio_nice=0") != std::string::npos);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["evaluations"]["total"].value<std::int64_t>() == 10);
  CHECK(rec["evaluations"]["measured"].value<std::int64_t>() == 10);
  CHECK(rec["evaluations"]["refused"].value<std::int64_t>() == 0);
  CHECK(rec["evaluations"]["failed"].value<std::int64_t>() == 0);
  CHECK(rec["knobs"]["render_nice"].value<std::int64_t>() == 0);  // the best the constraint allows
  CHECK(rec["recommend"].value<bool>() == true);
  const auto results = nlohmann::json::parse(std::ifstream(dir / "out" / "results.json"));
  std::size_t tune_trials = 0;
  for (const auto& t : results.at("trials")) {
    if (t.at("kind") != "tune") continue;
    ++tune_trials;
    INFO(t.dump());
    CHECK(t.at("status") == "ok");
    CHECK(t.at("scheduler_config").at("tuner").at("render_nice").get<int>() <= 0);
  }
  CHECK(tune_trials == 10);
  fs::remove_all(dir);
}

TEST_CASE("a tune whose every proposal fails says so in the verdict, recommendation.toml and the JSON",
          "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("all-failed");
  // Runs only at the default render_nice = 0.
  std::ofstream(dir / "picky.toml")
      << "name = \"picky\"\nsummary = \"fails unless render_nice is 0\"\n"
      << "command = \"[ {render_nice} -eq 0 ] || { echo 'no such nice' >&2; exit 3; }; echo value 10\"\n"
      << "[[param]]\nname = \"render_nice\"\ntype = \"int\"\ndefault = 0\nmin = -20\nmax = 19\nhelp = \"nice\"\n"
      << "[[metric]]\nname = \"value\"\nunit = \"count\"\ndirection = \"lower_is_better\"\n"
      << "regex = 'value ([0-9]+)'\nheadline = true\n";
  const auto r = run_process({scxlab_binary(), "tune", "-s", "eevdf", "-w", "command:" + (dir / "picky.toml").string(),
                              "--knobs", "render_nice", "-n", "6", "--seed", "3", "-q", "--json", "-o",
                              (dir / "out").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  const auto verdict = rec["verdict"].value<std::string>().value_or("");
  CHECK(verdict.find("none of the 5 configurations proposed after it ran without failure (5 failed, 0 refused "
                     "before running)") != std::string::npos);
  CHECK(verdict.find("the default itself") == std::string::npos);
  CHECK(rec["recommend"].value<bool>() == false);
  CHECK(rec["evaluations"]["failed"].value<std::int64_t>() == 5);
  CHECK(rec["evaluations"]["measured"].value<std::int64_t>() == 1);
  const auto* failures = rec["evaluations"]["failures"].as_array();
  REQUIRE(failures);
  REQUIRE(failures->size() == 1);  // one reason, five times
  CHECK(failures->get(0)->value<std::string>().value_or("") == "5x sh exited with status 3");
  // --json: stdout is one JSON document, the tune's summary in it.
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("tune").at("verdict") == verdict);
  CHECK(j.at("tune").at("evaluations").at("failed") == 5);
  CHECK(j.at("tune").at("evaluations").at("failures").at(0).at("count") == 5);
  // Nothing is recommended: the report's knob table says what the search found, not "Recommended".
  const auto html = read_text(dir / "out" / "report.html");
  CHECK_THAT(html, Catch::Contains("<th scope=\"col\">Best found</th>"));
  CHECK_THAT(html, !Catch::Contains("<th scope=\"col\">Recommended</th>"));
  fs::remove_all(dir);
}

TEST_CASE("a tune with --store postgresql://... records its finished run, outcome and trials there",
          "[integration][tune][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("tune-store");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto r = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                              "echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))", "-n", "6", "--seed", "11",
                              "-o", (dir / "out").string(), "--store", scratch.url()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("recorded in the results store " + scratch.url()));
  scxlab::store::ResultsDb local((dir / "out" / "results.db").string()), shared(scratch.url());
  const auto runs = shared.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].kind == "tune");
  CHECK(runs[0].status == "complete");
  CHECK(runs[0].outcome == local.runs().at(0).outcome);
  CHECK(scxlab::store::run_to_json(shared, runs[0].id) == scxlab::store::run_to_json(local, local.runs().at(0).id));
  fs::remove_all(dir);
}
