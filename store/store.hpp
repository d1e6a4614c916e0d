// The results store: one SQLite file per run directory (runs, trials, metrics, histograms),
// every trial committed before the next starts, versioned schema with migrations, and the
// JSON / CSV exports. A long-lived store (a CI runner's history) also holds runs copied in
// from run directories or JSON exports, and named baselines; it may be a SQLite file or a
// PostgreSQL database that many hosts share (postgresql://user@host/db), with the same schema
// and migrations. The public face of the store library.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/histogram.hpp"
#include "stats/metric.hpp"

namespace scxlab::store {

inline constexpr int kSchemaVersion = 5;

struct RunInfo {
  std::int64_t id = 0;
  std::string uuid;
  std::string kind;           // "shootout" | "tune" | "gate"
  std::string created_utc;    // ISO 8601
  std::string scxlab_version;
  nlohmann::json host;        // fingerprint: kernel, cpu model, topology, memory, governor, sched_ext
  nlohmann::json plan;        // what was asked: schedulers, workloads, repetitions, options
  std::uint64_t seed = 0;
  std::string status;         // "running" | "complete" | "interrupted"
  nlohmann::json outcome;     // what the run concluded beyond its trials (a tune: the
                              // recommendation and what the search learned); null until set
};

// What a trial was for: a warm-up (not counted), a measured repetition, a tune's evaluation
// or a repetition of its validation. Stored as the word to_string gives.
enum class TrialKind { warmup, measure, tune, validate };
// How it ended: ok, the scheduler was ejected, the workload failed, it outlived its timeout,
// or the run was interrupted during it (run again on --resume).
enum class TrialStatus { ok, ejected, failed, timed_out, interrupted };
std::string_view to_string(TrialKind kind);
std::string_view to_string(TrialStatus status);

struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  int seq = 0;                // position in the plan: resume skips committed seqs
  int round = 0;              // interleaving round (0 = warm-up)
  TrialKind kind = TrialKind::measure;
  std::string scheduler;      // configuration label: "eevdf", "scx_lavd:gaming"
  nlohmann::json scheduler_config;  // name, version, args, knob values
  std::string workload;       // suite entry label
  nlohmann::json workload_params;
  TrialStatus status = TrialStatus::ok;
  std::string reason;
  std::string stderr_tail;
  std::string started_utc, ended_utc;
  double wall_s = 0;          // the workload's own time
  double overhead_s = 0;      // the harness's time for this trial beyond the workload
  std::string host;           // the host that ran it, and its hardware class (harness/host.hpp);
  std::string hw_class;       // "" in stores older than schema 4
  std::vector<Metric> metrics;
  std::vector<Unavailable> unavailable;
  std::vector<stats::NamedHistogram> histograms;
};

// A run with its trials, as a JSON export holds it and a baseline is made of.
struct StoredRun {
  RunInfo run;
  std::vector<TrialRecord> trials;
};

// A named reference run (`scxlab baseline save NAME RUN`): which run, and which of its
// configurations is the baseline.
struct Baseline {
  std::string name;
  std::int64_t run_id = 0;
  std::string label;      // a scheduler label of the run
  std::string saved_utc;  // ISO 8601
};

// Every error of the store (newer schema, unwritable path, not a DB, disk full, locked, a server
// unreachable or refusing us): one line naming the file or URL and the fix.
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A server store went away (restarted, the network dropped): the call did not take effect, or
// repeating it is safe. A new ResultsDb or WorkQueue reconnects once the server is back.
struct StoreUnavailable : StoreError {
  using StoreError::StoreError;
};

// The words a DB or a JSON export holds, parsed once when read; anything else is a StoreError
// naming the word and the words allowed.
TrialKind trial_kind_from(std::string_view word);
TrialStatus trial_status_from(std::string_view word);

// True for a PostgreSQL URL (postgresql://... or postgres://...), false for a file's path.
bool is_server_store(const std::string& location);

class ResultsDb {
 public:
  // A file's path (opened or created) or a PostgreSQL URL (the database must exist; its tables
  // are created). Migrates older schemas; refuses a newer schema, an unreachable server or
  // refused credentials with a StoreError of one line naming the store and the fix.
  explicit ResultsDb(const std::string& location);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;
  ResultsDb(ResultsDb&& other) noexcept;

  int schema_version() const;
  std::int64_t create_run(RunInfo run);
  void set_run_status(std::int64_t run_id, const std::string& status);
  void set_run_outcome(std::int64_t run_id, const nlohmann::json& outcome);
  // One transaction, durable on return. kind and status must be one of the words above
  // (StoreError otherwise); the trial's run_id must name a run of this DB.
  std::int64_t add_trial(TrialRecord trial);

  std::vector<RunInfo> runs() const;
  std::optional<RunInfo> run(std::int64_t run_id) const;
  // In seq order (then insertion); only those with a seq in [first_seq, last_seq] when given
  // (a fleet's coordinator reads each finished item's trials, not the whole run again).
  std::vector<TrialRecord> trials(std::int64_t run_id, int first_seq = 0,
                                  int last_seq = std::numeric_limits<int>::max()) const;
  // What --resume skips: seqs with a committed trial that ended (any status but
  // "interrupted"; an interrupted trial is run again and gets a second row).
  std::set<int> completed_seqs(std::int64_t run_id) const;
  std::string path() const;  // the file, or the server's URL without its password

  // Copies a run and its trials in, in one transaction, keeping its uuid; a run whose uuid is
  // already here is not copied twice (its id is returned).
  std::int64_t import_run(const StoredRun& stored);
  std::optional<RunInfo> run_by_uuid(const std::string& uuid) const;

  // Saves (or replaces) a baseline; its run must be in this DB.
  void save_baseline(const Baseline& baseline);
  std::optional<Baseline> baseline(const std::string& name) const;
  std::vector<Baseline> baselines() const;  // by name

 private:
  friend class WorkQueue;  // writes its items in the same database and transactions
  struct Impl;
  Impl* impl_ = nullptr;
};

// Exports, written atomically (base::write_file_atomically, whose FileError names the path).
// The JSON of a run is {"schema_version", "run": run_info_to_json, "trials":
// [trial_to_json...]}; a trial's histograms carry count, p50, p90, p99, p99.9, max and the
// sparse buckets.
nlohmann::json run_info_to_json(const RunInfo& run);
nlohmann::json trial_to_json(const TrialRecord& trial);
nlohmann::json run_to_json(const ResultsDb& db, std::int64_t run_id);
void export_json(const ResultsDb& db, std::int64_t run_id, const std::string& path);

// The inverse of run_to_json (ids are left 0). Anything that is not a complete export of
// this or an older schema (not JSON, empty, truncated, another document, a newer schema) is
// a StoreError of one line naming `source` and the fix. read_run_json reads a file first.
StoredRun run_from_json(const nlohmann::json& j, const std::string& source);
StoredRun read_run_json(const std::string& path);
void export_csv(const ResultsDb& db, std::int64_t run_id, const std::string& path);
// The sparse histogram encoding of the DB and the JSON export: [[bucket index, count], ...]
// in the bucket scheme of stats/loglinear.h. Exact min, max and sum are not kept, so a
// decoded histogram takes them from bucket bounds (percentiles agree to the bucket).
nlohmann::json buckets_to_json(const stats::LogLinearHistogram& h);
stats::LogLinearHistogram buckets_from_json(const nlohmann::json& buckets);

}  // namespace scxlab::store
