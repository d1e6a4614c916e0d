// The fleet's work queue against a real PostgreSQL server (scripts/test starts one on loopback).
#include <cstdlib>
#include <iostream>
#include <map>

#include <unistd.h>

#include "catch.hpp"
#include "pg_scratch.hpp"
#include "process.hpp"
#include "samples.hpp"
#include "store/queue.hpp"

using namespace scxlab;
using namespace scxlab::store;
using namespace scxlab::test;
using std::chrono::seconds;

namespace {

constexpr seconds kLong{600};  // a lease that does not expire during a test
constexpr seconds kExpired{0};  // a lease that has expired by the next call

WorkerInfo worker(const std::string& name, const std::string& hw_class = "hw-a") {
  return {name + ":" + std::to_string(getpid()), "host-" + name, hw_class};
}

// An item's trial, numbered by the item's payload so that a count per seq finds doubles.
TrialRecord trial_for(const WorkItem& item) {
  auto t = sample_trial(item.run_id, item.payload.at("seq").get<int>());
  t.host = item.worker;
  t.hw_class = item.hw_class;
  return t;
}

std::map<int, int> trials_per_seq(ResultsDb& db, std::int64_t run_id) {
  std::map<int, int> count;
  for (const auto& t : db.trials(run_id)) ++count[t.seq];
  return count;
}

// A queue in a database of the test's own, with one run.
struct QueueWithRun {
  ScratchDatabase scratch;
  WorkQueue queue{scratch.url()};
  std::int64_t run_id = sample_run(queue.results());
};

}  // namespace

TEST_CASE("the work queue refuses a SQLite store in one line naming the fix", "[store]") {
  try {
    WorkQueue queue("results.db");
    FAIL("a file was accepted");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find("postgresql://") != std::string::npos);
  }
}

TEST_CASE("a leased item is completed once, with its trials, host and class", "[store][fleet]") {
  if (!have_server()) return;
  QueueWithRun q;
  auto& queue = q.queue;
  const auto run_id = q.run_id;
  const auto a = worker("a");
  queue.announce(a);
  CHECK_FALSE(queue.lease(worker("b", "hw-other"), kLong));  // another class's worker gets nothing
  const auto id = queue.enqueue(run_id, "hw-a", {{"seq", 0}});
  const auto item = queue.lease(a, kLong);
  REQUIRE(item);
  CHECK(item->id == id);
  CHECK(item->attempt == 1);
  CHECK_FALSE(queue.lease(a, kLong));  // leased: not handed out again
  CHECK(queue.heartbeat(*item, kLong));
  CHECK(queue.live_workers("hw-a", seconds(60)) == 1);
  CHECK(queue.status().queues.at(0).leased == 1);
  REQUIRE(queue.complete(*item, {trial_for(*item)}));
  CHECK(queue.complete(*item, {trial_for(*item)}));  // a repeat (answer lost) writes nothing more
  CHECK(queue.done_items(run_id) == std::vector<std::int64_t>{id});
  const auto trials = queue.results().trials(run_id);
  REQUIRE(trials.size() == 1);
  CHECK(trials[0].host == a.id);
  CHECK(trials[0].hw_class == "hw-a");
}

TEST_CASE("an expired lease goes to the next worker and the first one's result is refused", "[store][fleet]") {
  if (!have_server()) return;
  QueueWithRun q;
  auto& queue = q.queue;
  const auto run_id = q.run_id;
  queue.enqueue(run_id, "hw-a", {{"seq", 0}});
  const auto first = queue.lease(worker("a"), kExpired);  // as a worker killed mid-trial leaves it
  REQUIRE(first);
  const auto second = queue.lease(worker("b"), kLong);
  REQUIRE(second);
  CHECK(second->id == first->id);
  CHECK(second->attempt == 2);
  CHECK_FALSE(queue.heartbeat(*first, kLong));
  CHECK_FALSE(queue.complete(*first, {trial_for(*first)}));
  CHECK(queue.complete(*second, {trial_for(*second)}));
  CHECK(trials_per_seq(queue.results(), run_id) == std::map<int, int>{{0, 1}});
}

TEST_CASE("a released item goes back to the queue and a cancelled run's items to nobody", "[store][fleet]") {
  if (!have_server()) return;
  QueueWithRun q;
  auto& queue = q.queue;
  const auto run_id = q.run_id;
  queue.enqueue(run_id, "hw-a", {{"seq", 0}});
  const auto item = queue.lease(worker("a"), kLong);
  REQUIRE(item);
  queue.release(*item);
  const auto again = queue.lease(worker("b"), kLong);
  REQUIRE(again);
  CHECK(again->id == item->id);
  queue.cancel(run_id);
  CHECK_FALSE(queue.complete(*again, {trial_for(*again)}));
  CHECK_FALSE(queue.lease(worker("c"), kLong));
  CHECK(queue.results().trials(run_id).empty());
}

TEST_CASE("an item is queued once per run and payload: a repeat finds it, and queues it again if cancelled",
          "[store][fleet]") {
  if (!have_server()) return;
  QueueWithRun q;
  auto& queue = q.queue;
  const auto run_id = q.run_id;
  const auto id = queue.enqueue(run_id, "hw-a", {{"seq", 0}});
  CHECK(queue.enqueue(run_id, "hw-a", {{"seq", 0}}) == id);  // a retry whose answer was lost
  CHECK(queue.enqueue(run_id, "hw-a", {{"seq", 1}}) != id);
  const auto item = queue.lease(worker("a"), kLong);
  REQUIRE(item);
  REQUIRE(item->id == id);
  CHECK(queue.enqueue(run_id, "hw-a", {{"seq", 0}}) == id);  // leased: left with its holder
  REQUIRE(queue.complete(*item, {trial_for(*item)}));
  CHECK(queue.enqueue(run_id, "hw-a", {{"seq", 0}}) == id);  // done: a resumed coordinator collects it
  CHECK(queue.done_items(run_id) == std::vector<std::int64_t>{id});
  queue.cancel(run_id);                                       // the item of seq 1, still pending
  const auto other = queue.enqueue(run_id, "hw-a", {{"seq", 1}});
  const auto revived = queue.lease(worker("b"), kLong);       // queued again
  REQUIRE(revived);
  CHECK(revived->id == other);
  CHECK(trials_per_seq(queue.results(), run_id) == std::map<int, int>{{0, 1}});
}

TEST_CASE("workers racing for items whose leases keep expiring count every result exactly once",
          "[store][fleet]") {
  if (!have_server()) return;
  ScratchDatabase scratch;
  constexpr int kItems = 40, kWorkers = 4;
  std::int64_t run_id = 0;
  {
    WorkQueue queue(scratch.url());
    run_id = sample_run(queue.results());
    for (int i = 0; i < kItems; ++i) queue.enqueue(run_id, "hw-a", {{"seq", i}});
  }
  const auto codes = run_in_children(kWorkers, [&](int w) {
    // Every lease expires at once: any worker may take over any item at any moment.
    WorkQueue queue(scratch.url());
    const auto me = worker("w" + std::to_string(w));
    while (const auto item = queue.lease(me, kExpired)) queue.complete(*item, {trial_for(*item)});
  });
  CHECK(codes == std::vector<int>(kWorkers, 0));
  WorkQueue queue(scratch.url());
  const auto per_seq = trials_per_seq(queue.results(), run_id);
  CHECK(per_seq.size() == kItems);
  for (const auto& [seq, count] : per_seq) CHECK(count == 1);
  CHECK(queue.done_items(run_id).size() == kItems);
}

TEST_CASE("after a server restart the queue says the store is away, and a new connection carries on",
          "[store][fleet]") {
  if (!have_server()) return;
  const char* dir = std::getenv("SCXLAB_TEST_PG_DIR");
  if (!dir) {
    std::cout << "SCXLAB-SKIPPED: SCXLAB_TEST_PG_DIR is not set (the server is not ours to restart)" << std::endl;
    return;
  }
  QueueWithRun q;
  auto& queue = q.queue;
  const auto run_id = q.run_id;
  queue.enqueue(run_id, "hw-a", {{"seq", 0}});
  const auto item = queue.lease(worker("a"), kLong);
  REQUIRE(item);
  REQUIRE(std::system((std::string(SCXLAB_SOURCE_DIR "/scripts/pg-test-server restart ") + dir).c_str()) == 0);
  CHECK_THROWS_AS(queue.heartbeat(*item, kLong), StoreUnavailable);
  WorkQueue again(q.scratch.url());
  CHECK(again.complete(*item, {trial_for(*item)}));
  CHECK(trials_per_seq(again.results(), run_id) == std::map<int, int>{{0, 1}});
}
