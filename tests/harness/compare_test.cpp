// `scxlab compare` end to end: two real small shootouts on this host, compared by the real
// binary; and the one-line refusals of paths that are not runs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/files.hpp"
#include "catch.hpp"
#include "process.hpp"

using nlohmann::json;
using scxlab::test::fresh_temp_dir;
using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) { return scxlab::base::read_file_or_empty(p.string()); }

// A tiny real shootout into `out`; `schedulers` as -s takes them.
void shootout(const fs::path& out, const std::string& schedulers) {
  const auto r = scxlab::test::run_tiny_shootout(out, schedulers);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// The table's rows under a workload's title: scheduler, metric, ..., call (the last word).
std::map<std::string, std::string> table_calls(const std::string& out) {
  std::map<std::string, std::string> calls;
  const std::regex row(R"(^  (eevdf\S*)\s+(\S+)\s.*\s(better|worse|no diff\.|run more)$)");
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) calls[m[1].str() + " " + m[2].str()] = m[3];
  }
  return calls;
}

}  // namespace

TEST_CASE("compare two real runs: the shared cell's table, the drift warning, a cell only in B, the JSON agrees",
          "[cli][compare]") {
  const auto dir = fresh_temp_dir("compare");
  shootout(dir / "a", "eevdf");
  shootout(dir / "b", "eevdf,eevdf@other");
  const auto html = dir / "compare.html";
  const auto r = run_process({scxlab_binary(), "compare", (dir / "a").string(), (dir / "b" / "results.json").string(),
                              "-o", html.string(), "--json", (dir / "compare.json").string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // Answer first: the table before the warnings.
  const auto table = r.out.find("messaging  (B against A");
  const auto warnings = r.out.find("\nwarnings\n");
  REQUIRE(table != std::string::npos);
  REQUIRE(warnings != std::string::npos);
  CHECK(table < warnings);
  CHECK(r.out.find("were not run interleaved in time") > warnings);
  CHECK(r.out.find("only in B: other x messaging") != std::string::npos);
  const auto calls = table_calls(r.out);
  REQUIRE(calls.count("eevdf time_s") == 1);

  const auto j = json::parse(read_file(dir / "compare.json"));
  std::map<std::string, std::string> json_calls;
  for (const auto& row : j.at("rows")) {
    if (calls.count(row.at("scheduler").get<std::string>() + " " + row.at("metric").get<std::string>())) {
      json_calls[row.at("scheduler").get<std::string>() + " " + row.at("metric").get<std::string>()] = row.at("call");
    }
  }
  CHECK(json_calls == calls);
  CHECK(j.at("only_in").size() == 1);
  CHECK(j.at("only_in")[0].at("text") == "only in B: other x messaging");
  CHECK(j.at("warnings")[0].get<std::string>().find("not run interleaved") != std::string::npos);
  CHECK(r.out.find("nan") == std::string::npos);

  const auto page = read_file(html);
  CHECK(page.find("id=\"compare\"") < page.find("class=\"workload\""));
  CHECK(page.find("eevdf @A") != std::string::npos);
  CHECK(page.find("eevdf @B") != std::string::npos);
  CHECK(page.find("only in B: other x messaging") != std::string::npos);
}

TEST_CASE("compare refuses a path that is not a run in one line naming it, exit 2", "[cli][compare]") {
  const auto dir = fresh_temp_dir("compare-bad");
  fs::create_directories(dir / "empty");
  std::ofstream(dir / "not.json") << "{\"hello\": 1}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {(dir / "missing").string(), "no such run directory or results.json"},
      {(dir / "empty").string(), "a directory without results.db"},
      {(dir / "not.json").string(), "not.json"}};
  for (const auto& [path, says] : cases) {
    const auto r = run_process({scxlab_binary(), "compare", path, path});
    INFO(path << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(path) != std::string::npos);
    CHECK(r.err.find(says) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  const auto help = run_process({scxlab_binary(), "compare", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("scxlab compare scxlab-results/") != std::string::npos);
}
