// Parsing `-w` workload specs into plan entries.
#include "catch.hpp"
#include "harness/errors.hpp"
#include "harness/lab.hpp"

using namespace scxlab::harness;

TEST_CASE("a workload spec is a name and key=value params, a command workload keeps its file", "[cli]") {
  const auto plain = parse_entry("messaging:groups=4,loops=100");
  CHECK(plain.workload == "messaging");
  CHECK(plain.params.at("groups") == "4");
  CHECK(plain.params.at("loops") == "100");

  const std::string file = SCXLAB_SOURCE_DIR "/workloads/examples/perf-pipe.toml";
  const auto command = parse_entry("command:" + file + ":loops=2000");
  CHECK(command.workload == "command:" + file);
  CHECK(command.params.at("loops") == "2000");
  CHECK(parse_entry("command:" + file).params.at("loops") == "100000");  // the default, filled in

  CHECK_THROWS_AS(parse_entry("messaging:groups"), UsageError);
}

TEST_CASE("a workload spec that gives a key twice is refused, naming the key", "[cli]") {
  CHECK_THROWS_WITH(parse_entry("messaging:loops=5,loops=6"), Catch::Contains("'loops' is given twice"));
}
