// A client of the scx_stats protocol that Rust sched_ext schedulers serve on a UNIX socket
// (/var/run/scx/root/stats): newline-delimited JSON, one request, one reply, every wait
// bounded so a dead or stuck scheduler cannot hang a trial. Most schedulers answer deltas since
// the previous read on the same connection; scx_lavd allows ONE reader (a second connection
// makes the first fail with "preempted by another sampler") and its counters decay.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/collector.hpp"

namespace scxlab::metrics {

struct ScxStatsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The scheduler closed the connection: it exited, or restarted its BPF side (scx_bpfland and
// scx_flash do on a power-profile change), which drops its stats server with it.
struct ScxStatsClosed : ScxStatsError {
  using ScxStatsError::ScxStatsError;
};
// No reply within the timeout. It may still come (a scheduler whose user-space thread is
// starved by the workload answers late): the next request reads it first.
struct ScxStatsTimeout : ScxStatsError {
  using ScxStatsError::ScxStatsError;
};

class ScxStatsClient {
 public:
  // Connects within `timeout`, retrying while the socket is missing (the scheduler creates it
  // only after attaching), refuses connections (a stale socket file of an earlier run, until
  // the new server replaces it) or has its backlog full. Every later request also waits at
  // most `timeout`.
  ScxStatsClient(const std::string& socket_path, std::chrono::milliseconds timeout);
  ~ScxStatsClient();
  ScxStatsClient(const ScxStatsClient&) = delete;
  ScxStatsClient& operator=(const ScxStatsClient&) = delete;

  // {"req":"stats_meta"}: the description of every stats struct.
  nlohmann::json meta();
  // {"req":"stats","args":{"target":...}}: the reply's "resp" object. Throws ScxStatsError
  // with the scheduler's message for an errno reply, ScxStatsTimeout, or ScxStatsClosed when
  // the connection was closed.
  nlohmann::json stats(const std::string& target = "top");

  // After a ScxStatsTimeout: whether that reply is still to come, and waiting for it (it is a
  // read like any other: a delta server counted its events up to it). A request made while a
  // reply is pending throws ScxStatsError.
  bool reply_pending() const { return pending_; }
  nlohmann::json late_reply();

 private:
  nlohmann::json request(const nlohmann::json& req);
  nlohmann::json receive();
  std::string read_line();
  int fd_ = -1;
  bool pending_ = false;
  std::string path_;
  std::string buffer_;
  std::chrono::milliseconds timeout_;
};

// What a numeric field of a stats reply measures, decided from the stats_meta reply. The meta
// names each field's type (u64, i64, float, string, a struct, an array or dict of those), an
// optional description and user attributes ("_om_skip", ...), but no kind: which fields are
// counters is decided by the rule in scx_stats.cpp (classify()).
enum class StatsFieldKind {
  counter,  // events since the previous read on the connection: summed over the trial
  gauge,    // a level or a share over the read's period: averaged over the trial
  dropped,  // not behaviour: a timestamp, an identifier, or marked _om_skip by its scheduler
};

struct StatsField {
  std::string name;         // "scx.nr_direct_dispatches", "scx.nodes.0.doms.1.load"
  double value = 0;
  StatsFieldKind kind = StatsFieldKind::gauge;
  std::string unit;         // "count", "%", "us", or "" when the meta does not say
  std::string description;  // the meta's desc; for a dropped field, why it is dropped
};

// Every numeric field of a stats reply, described and classified with `meta` (the stats_meta
// reply; null when the scheduler gave none: then only the value types and names decide).
// Nested structs, arrays and dicts are joined with dots; strings are left out.
std::vector<StatsField> describe_stats(const nlohmann::json& meta, const nlohmann::json& resp);

// One connection per trial, opened in start() (meta, then the baseline read) and closed in
// stop() after the final read, so scxlab is never a second reader of itself. In between it
// reads every `interval`, so gauges are averaged over the trial (time-weighted); counters are
// the sum of the reads' deltas. A read in between that times out is taken late, at the next
// one; only the final read must answer in time. A connection the scheduler closes (a restart
// inside its process) is reopened once per trial: its gauges go on, its counters restarted
// from zero and are reported unavailable for that trial.
class ScxStatsCollector : public Collector {
 public:
  ScxStatsCollector(std::chrono::milliseconds timeout, std::chrono::milliseconds interval);
  ~ScxStatsCollector() override;
  std::string name() const override { return "scx_stats"; }
  void start(const Target& target) override;
  void stop() override;
  Collected results() const override { return results_; }

 private:
  class Trial;
  std::chrono::milliseconds timeout_, interval_;
  std::unique_ptr<Trial> trial_;
  std::string socket_, error_;
  Collected results_;
};

}  // namespace scxlab::metrics
