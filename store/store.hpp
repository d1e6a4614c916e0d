// The results store: one SQLite file per run directory (runs, trials, metrics, histograms),
// every trial committed before the next starts, versioned schema with migrations, and the
// JSON / CSV exports. The public face of the store library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/histogram.hpp"
#include "stats/metric.hpp"

namespace scxlab::store {

inline constexpr int kSchemaVersion = 1;

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
};

struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  int seq = 0;                // position in the plan: resume skips committed seqs
  int round = 0;              // interleaving round (0 = warm-up)
  std::string kind;           // "warmup" | "measure" | "tune" | "validate"
  std::string scheduler;      // configuration label: "eevdf", "scx_lavd:gaming"
  nlohmann::json scheduler_config;  // name, version, args, knob values
  std::string workload;       // suite entry label
  nlohmann::json workload_params;
  std::string status;         // "ok" | "ejected" | "failed" | "timed_out" | "interrupted"
  std::string reason;
  std::string stderr_tail;
  std::string started_utc, ended_utc;
  double wall_s = 0;          // the workload's own time
  double overhead_s = 0;      // the harness's time for this trial beyond the workload
  std::vector<Metric> metrics;
  std::vector<Unavailable> unavailable;
  std::vector<stats::NamedHistogram> histograms;
};

// Errors a user can act on (newer schema, unwritable path): the message names the fix.
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ResultsDb {
 public:
  // Opens or creates; migrates older schemas; refuses a newer schema with StoreError.
  explicit ResultsDb(const std::string& path);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;
  ResultsDb(ResultsDb&& other) noexcept;

  int schema_version() const;
  std::int64_t create_run(RunInfo run);
  void set_run_status(std::int64_t run_id, const std::string& status);
  std::int64_t add_trial(TrialRecord trial);   // one transaction, durable on return

  std::vector<RunInfo> runs() const;
  std::optional<RunInfo> run(std::int64_t run_id) const;
  std::vector<TrialRecord> trials(std::int64_t run_id) const;
  std::string path() const;

 private:
  struct Impl;
  Impl* impl_ = nullptr;
};

// Exports, written atomically (temporary file, fsync, rename).
nlohmann::json run_to_json(const ResultsDb& db, std::int64_t run_id);
void export_json(const ResultsDb& db, std::int64_t run_id, const std::string& path);
void export_csv(const ResultsDb& db, std::int64_t run_id, const std::string& path);
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace scxlab::store
