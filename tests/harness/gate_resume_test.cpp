// `scxlab gate` end to end on this host: an A/A gate of the kernel default against itself
// under another label, on a command workload that sends SIGINT to scxlab the first time it
// runs. The gate must stop with exit 130 and say how to resume; `gate --resume` must finish
// the plan with every (round, configuration) trial counted once and write the CI outputs.
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "process.hpp"

using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

fs::path write_interrupting_workload(const fs::path& dir, const fs::path& flag) {
  const auto path = dir / "once.toml";
  std::ofstream(path) << "name = \"once\"\nsummary = \"interrupts scxlab once, then prints a constant\"\n"
                      << "command = \"if [ ! -e " << flag.string() << " ]; then : > " << flag.string()
                      << "; kill -INT $PPID; fi; echo value 10\"\n"
                      << "[[metric]]\nname = \"value\"\nunit = \"count\"\ndirection = \"lower_is_better\"\n"
                      << "regex = 'value ([0-9]+)'\nheadline = true\n";
  return path;
}

}  // namespace

TEST_CASE("a gate interrupted by SIGINT resumes to a complete gate, each trial once", "[integration][gate]") {
  const auto dir = scxlab::test::fresh_temp_dir("gate-resume");
  const auto flag = dir / "interrupted-once";
  const auto workload = "command:" + write_interrupting_workload(dir, flag).string();
  const auto first = run_process({scxlab_binary(), "gate", "--candidate", "eevdf@b", "--baseline", "eevdf", "-w",
                                  workload, "-n", "3", "--max-reps", "4", "--warmup", "0", "--store",
                                  (dir / "store.db").string(), "-o", (dir / "out").string()});
  INFO(first.err);
  CHECK(first.exit_code == 130);
  CHECK_THAT(first.err, Catch::Contains("scxlab gate --resume " + (dir / "out").string()));
  REQUIRE(fs::exists(flag));

  const auto resumed = run_process({scxlab_binary(), "gate", "--resume", (dir / "out").string(), "-q"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);  // a constant against itself: no change
  for (const char* output : {"gate.json", "junit.xml", "summary.md", "report.html", "results.json"}) {
    CHECK(fs::exists(dir / "out" / output));
  }
  const auto gate = nlohmann::json::parse(std::ifstream(dir / "out" / "gate.json"));
  CHECK(gate.at("outcome") == "pass");
  std::map<std::pair<int, std::string>, int> counted;
  const auto results = nlohmann::json::parse(std::ifstream(dir / "out" / "results.json"));
  for (const auto& t : results.at("trials")) {
    if (t.at("status") == "ok") ++counted[{t.at("round").get<int>(), t.at("scheduler").get<std::string>()}];
  }
  CHECK(counted.size() == 2 * 4);
  for (const auto& [trial, n] : counted) {
    INFO(trial.first << " " << trial.second);
    CHECK(n == 1);
  }
  fs::remove_all(dir);
}
