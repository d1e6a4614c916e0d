// Suites: the built-in ones load and every entry validates; files from disk work too.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "catch.hpp"
#include "workloads/workload.hpp"

using namespace scxlab::workloads;
namespace fs = std::filesystem;

TEST_CASE("every built-in suite loads and every entry validates", "[workloads][suites]") {
  const auto names = list_suites();
  for (const auto* wanted : {"default", "desktop", "server", "ci"}) {
    CHECK(std::find(names.begin(), names.end(), wanted) != names.end());
  }
  for (const auto& name : names) {
    const auto suite = load_suite(name);
    INFO(name);
    CHECK(suite.name == name);
    CHECK_FALSE(suite.description.empty());
    CHECK_FALSE(suite.entries.empty());
    for (const auto& e : suite.entries) {
      INFO(e.label);
      const auto v = validate(e.workload, e.params);
      CHECK(v.error.empty());
      CHECK(find_workload(e.workload)->unavailable.empty());  // built-in suites use built-in generators
    }
  }
}

TEST_CASE("a suite file from disk, with command workloads beside it", "[workloads][suites]") {
  const auto dir = fs::temp_directory_path() / ("scxlab-suite-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "probe.toml") << "command = [\"echo\", \"v=1\"]\n"
                                       "[[metric]]\nname = \"v\"\nunit = \"count\"\ndirection = \"informational\"\n"
                                       "regex = 'v=([0-9])'\n";
  std::ofstream(dir / "mine.toml") << "name = \"mine\"\ndescription = \"d\"\n"
                                      "[[entry]]\nlabel = \"probe\"\nworkload = \"command:probe.toml\"\n"
                                      "[[entry]]\nworkload = \"messaging\"\nparams = { groups = 2, ipc = \"pipes\" }\n";
  const auto s = load_suite((dir / "mine.toml").string());
  REQUIRE(s.entries.size() == 2);
  CHECK(s.entries[0].workload == "command:" + (dir / "probe.toml").string());  // resolved beside the suite
  CHECK(validate(s.entries[0].workload, {}).error.empty());
  CHECK(s.entries[1].label == "messaging");
  CHECK(s.entries[1].params.at("groups") == "2");

  std::ofstream(dir / "twice.toml") << "name = \"t\"\n[[entry]]\nworkload = \"messaging\"\n[[entry]]\nworkload = \"messaging\"\n";
  CHECK_THROWS_WITH(load_suite((dir / "twice.toml").string()), Catch::Contains("used twice"));
  CHECK_THROWS_WITH(load_suite("no-such-suite"), Catch::Contains("default"));
  fs::remove_all(dir);
}

TEST_CASE("the default and ci suites run end to end, every entry ok", "[workloads][suites][slow]") {
  for (const auto* name : {"ci", "default"}) {
    for (const auto& e : load_suite(name).entries) {
      const auto r = run(e.workload, e.params, {});
      INFO(name << "/" << e.label << ": " << r.reason << "\n" << r.stderr_tail);
      CHECK(r.status == Result::Status::ok);
      CHECK_FALSE(r.metrics.empty());
    }
  }
}
