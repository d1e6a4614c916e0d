// Records a running scheduler's scx_stats replies as test fixtures, and what the collector
// makes of them. Not part of the product: run it in the VM lab next to a real scheduler.
//
//   scx_stats_capture SOCKET OUTDIR -- /PATH/TO/COMMAND [ARG...]
//
// writes OUTDIR/meta.json (the stats_meta reply), stats-baseline.json, stats-after.json (the
// reads before and after COMMAND, on one connection: deltas over COMMAND), then runs COMMAND
// again inside one ScxStatsCollector trial and writes collected.json (metrics, unavailable).
// One connection at a time: scx_lavd allows a single reader.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "metrics/scx_stats.hpp"
#include "process.hpp"

using namespace scxlab;
using namespace scxlab::metrics;
using namespace std::chrono_literals;

namespace {

void save(const std::string& file, const nlohmann::json& j) { std::ofstream(file) << j.dump(2) << "\n"; }

nlohmann::json to_json(const Collected& c) {
  auto metrics = nlohmann::json::array();
  for (const auto& m : c.metrics) {
    metrics.push_back({{"name", m.name}, {"value", m.value}, {"unit", m.unit}, {"source", m.source}});
  }
  auto unavailable = nlohmann::json::array();
  for (const auto& u : c.unavailable) unavailable.push_back({{"name", u.name}, {"reason", u.reason}});
  return {{"metrics", metrics}, {"unavailable", unavailable}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr, "usage: %s SOCKET OUTDIR -- COMMAND [ARG...]\n", argv[0]);
    return 2;
  }
  const std::string socket = argv[1], dir = argv[2];
  const std::vector<std::string> command(argv + 4, argv + argc);
  try {
    {
      ScxStatsClient client(socket, 60s);  // the scheduler may still be creating its socket
      save(dir + "/meta.json", client.meta());
      save(dir + "/stats-baseline.json", client.stats());
      if (test::run_process(command).exit_code != 0) std::fprintf(stderr, "scx_stats_capture: the command failed\n");
      save(dir + "/stats-after.json", client.stats());
    }
    ScxStatsCollector collector(5s, 1s);
    collector.start({getpid(), socket});
    test::run_process(command);
    collector.stop();
    save(dir + "/collected.json", to_json(collector.results()));
  } catch (const ScxStatsError& e) {
    std::fprintf(stderr, "scx_stats_capture: %s\n", e.what());
    return 1;
  }
  return 0;
}
