// The fleet's work queue, kept in a shared PostgreSQL store beside the results. A coordinator
// (a fleet tune) enqueues work items for a hardware class; `scxlab worker` on each host of that
// class leases the oldest pending item (SELECT ... FOR UPDATE SKIP LOCKED), heartbeats while it
// runs the item's trials, and completes it: the trials are committed and the item marked done in
// one transaction that succeeds only while the lease is still its own. A worker that dies loses
// its lease when the lease expires (on the server's clock) and the item goes to the next worker,
// so a result is never lost and never counted twice.
//
// SQLite cannot serve this (a file on one host): the queue needs a postgresql:// store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace scxlab::store {

// One worker process on one host.
struct WorkerInfo {
  std::string id;        // unique per worker process: "<hostname>:<pid>:<random>"
  std::string hostname;
  std::string hw_class;  // the hardware class it serves
};

// One unit of work: trials that run in order on one host (a tune's evaluation is one trial; a
// validation round is a pair, so that both sides of the pair share a host).
struct WorkItem {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::string hw_class;
  nlohmann::json payload;  // what to run: the queue does not look inside
  int attempt = 0;         // 1 for the first lease, +1 for each lease after an expiry
  std::string worker;      // WorkerInfo::id of the lease holder
};

// What `scxlab fleet status` shows.
struct WorkerStatus {
  WorkerInfo worker;
  double seconds_since_seen = 0;
  std::optional<std::int64_t> item;  // the item it holds, if any
  std::string doing;                 // that item's summary
};
struct ClassQueue {
  std::string hw_class;
  std::int64_t pending = 0, leased = 0, done = 0;
  std::optional<double> median_item_s;  // over its done items; nullopt before any
};
struct FleetStatus {
  std::vector<WorkerStatus> workers;  // seen in the last hour, by class then id
  std::vector<ClassQueue> queues;     // classes with pending or leased items
};

class WorkQueue {
 public:
  // A postgresql:// URL. Anything else, an unreachable server, refused credentials or a newer
  // schema: StoreError (StoreUnavailable for the server being away) of one line with the fix.
  explicit WorkQueue(const std::string& url);

  // The results store the queue lives in.
  ResultsDb& results() { return db_; }

  // Coordinator side. Queues an item once per run and payload: the same payload again (a retry
  // whose answer was lost, a resumed coordinator) gives the item made before, queued again if
  // it was cancelled, left as it is otherwise (pending, leased or done).
  // `summary` says what the item runs, for `scxlab fleet status` ("shootout round 3").
  std::int64_t enqueue(std::int64_t run_id, const std::string& hw_class, const nlohmann::json& payload,
                       const std::string& summary = "");
  // The run's done items, in the order they were completed.
  std::vector<std::int64_t> done_items(std::int64_t run_id);
  // Workers of the class seen within `alive`.
  std::size_t live_workers(const std::string& hw_class, std::chrono::seconds alive);
  void cancel(std::int64_t run_id);  // drops the run's pending items (an interrupted coordinator)

  // Worker side. Each call marks the worker as seen.
  void announce(const WorkerInfo& worker);
  // The oldest pending item of the worker's class, or one whose lease expired; nullopt when
  // there is none.
  std::optional<WorkItem> lease(const WorkerInfo& worker, std::chrono::seconds lease_for);
  // Extends the lease; false when it is no longer this worker's (it expired and was re-leased).
  bool heartbeat(const WorkItem& item, std::chrono::seconds lease_for);
  // Commits the trials (run_id from the item) and marks the item done, in one transaction, only
  // while the lease is this attempt's; false otherwise, with nothing written. Repeating a call
  // whose answer was lost with the connection is safe: an item already completed by this same
  // attempt gives true without writing again.
  bool complete(const WorkItem& item, std::vector<TrialRecord> trials);
  // Gives the item back at once (the worker is stopping).
  void release(const WorkItem& item);
  void retire(const WorkerInfo& worker);  // the worker stops: no longer listed

  FleetStatus status();

 private:
  ResultsDb db_;
};

}  // namespace scxlab::store
