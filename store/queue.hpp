// The fleet's work queue, kept in the shared PostgreSQL store beside the results: a
// coordinator (a fleet tune, shootout or gate) enqueues work items for a hardware class;
// `scxlab worker` on each host of that class leases the next pending item
// (SELECT ... FOR UPDATE SKIP LOCKED), heartbeats while it runs the item's trials, and
// completes it by committing the trials and marking the item done in one transaction that
// succeeds only while the lease is still its own. A worker that dies loses its lease when
// the lease expires and the item goes to the next worker; a result is never counted twice.
//
// SQLite cannot serve this (one file on one host): a queue needs a postgresql:// store.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace scxlab::store {

// The server went away mid-call (restart, network): nothing of the call took effect or it
// is safe to repeat. The next call reconnects; a worker waits and retries.
struct StoreUnavailable : StoreError {
  using StoreError::StoreError;
};

// Who is asking: one worker process on one host.
struct WorkerInfo {
  std::string id;        // unique per worker process: "<hostname>:<pid>:<random>"
  std::string hostname;
  std::string hw_class;  // the hardware class it serves
};

// One unit of work: a list of trials that run in order on one host (a tune evaluation is
// one trial; a validation pair or a shootout round is several, so they share a host).
struct WorkItem {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::string hw_class;
  nlohmann::json payload;  // what to run; the queue does not look inside
  int attempt = 0;         // 1 for the first lease, +1 for each re-lease after expiry
  std::string worker;      // WorkerInfo::id of the lease holder
};

// An item whose trials are committed, as the coordinator reads it back.
struct DoneItem {
  std::int64_t id = 0;
  std::string worker, hostname;
  std::vector<TrialRecord> trials;
};

// What `scxlab fleet status` shows.
struct WorkerStatus {
  WorkerInfo worker;
  std::string last_seen_utc;
  double seconds_since_seen = 0;
  std::optional<std::int64_t> item;  // the item it holds, if any
  std::optional<std::int64_t> run_id;
};
struct ClassQueue {
  std::string hw_class;
  std::int64_t pending = 0, leased = 0, done = 0;
  std::optional<double> median_item_s;  // over the last done items; nullopt before any
};
struct FleetStatus {
  std::vector<WorkerStatus> workers;
  std::vector<ClassQueue> queues;
};

class WorkQueue {
 public:
  // `url`: postgresql://... (or postgres://...). Anything else, an unreachable server,
  // refused credentials or a newer schema: StoreError of one line with the fix. Creates or
  // migrates the schema like ResultsDb.
  explicit WorkQueue(const std::string& url);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Coordinator side.
  std::int64_t enqueue(std::int64_t run_id, const std::string& hw_class, const nlohmann::json& payload);
  // Items of the run completed after item `after` (by completion order), with their trials.
  std::vector<DoneItem> done_since(std::int64_t run_id, std::int64_t after_completion) const;
  std::int64_t pending(std::int64_t run_id) const;  // pending or leased
  // Workers of the class seen within `alive` (heartbeat or lease).
  std::size_t live_workers(const std::string& hw_class, std::chrono::seconds alive) const;
  void cancel(std::int64_t run_id);  // drops the run's pending items (an interrupted coordinator)

  // Worker side. Every call refreshes the worker's last-seen time.
  void announce(const WorkerInfo& worker);
  // The oldest pending item of the worker's class, or an item whose lease expired; nullopt
  // when there is none.
  std::optional<WorkItem> lease(const WorkerInfo& worker, std::chrono::seconds lease_for);
  // Extends the lease; false when it is no longer this worker's (expired and re-leased).
  bool heartbeat(const WorkItem& item, std::chrono::seconds lease_for);
  // Commits the trials (run_id from the item, host set) and marks the item done, in one
  // transaction, only while the lease is this worker's and attempt's; false otherwise
  // (nothing written). Retrying after an answer lost with the connection is safe: an item
  // already completed by this same attempt returns true without writing again.
  bool complete(const WorkItem& item, std::vector<TrialRecord> trials);
  // Gives the item back at once (the worker is stopping).
  void release(const WorkItem& item);

  FleetStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True for a postgresql:// or postgres:// URL (a fleet store), false for a file path.
bool is_postgres_url(const std::string& location);

}  // namespace scxlab::store
