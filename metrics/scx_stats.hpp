// A client of the scx_stats protocol that Rust sched_ext schedulers serve on a UNIX socket
// (/var/run/scx/root/stats): newline-delimited JSON, one request, one reply, every wait
// bounded so a dead or stuck scheduler cannot hang a trial. Most schedulers answer deltas since
// the previous read on the same connection; scx_lavd allows ONE reader (a second connection
// makes the first fail with "preempted by another sampler") and its counters decay.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "metrics/collector.hpp"

namespace scxlab::metrics {

struct ScxStatsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ScxStatsClient {
 public:
  // Connects within `timeout`; every later request also waits at most `timeout`.
  ScxStatsClient(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~ScxStatsClient();
  ScxStatsClient(const ScxStatsClient&) = delete;
  ScxStatsClient& operator=(const ScxStatsClient&) = delete;

  // {"req":"stats_meta"}: the description of every stats struct.
  nlohmann::json meta();
  // {"req":"stats","args":{"target":...}}: the reply's "resp" object. Throws ScxStatsError
  // with the scheduler's message for an errno reply, and on a timeout or a closed connection.
  nlohmann::json stats(const std::string& target = "top");

 private:
  nlohmann::json request(const nlohmann::json& req);
  std::string read_line();
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  std::chrono::milliseconds timeout_;
};

// The numeric fields of a stats reply as metrics "scx.<field>": nested objects and arrays
// are joined with dots ("scx.layers.batch.util", "scx.cpu_busy.0"); strings are skipped.
std::vector<Metric> flatten_stats(const nlohmann::json& resp);

// One connection per trial, opened in start() (meta, then the baseline read) and closed in
// stop() after the final read, so scxlab is never a second reader of itself.
class ScxStatsCollector : public Collector {
 public:
  explicit ScxStatsCollector(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  std::string name() const override { return "scx_stats"; }
  void start(const Target& target) override;
  void stop() override;
  Collected results() const override { return results_; }

 private:
  std::chrono::milliseconds timeout_;
  std::unique_ptr<ScxStatsClient> client_;
  std::string socket_, error_;
  Collected results_;
};

}  // namespace scxlab::metrics
