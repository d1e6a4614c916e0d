#include "store/queue.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "store/results_db_impl.hpp"

namespace scxlab::store {
namespace {

// Leases expire on the server's clock: the hosts' clocks need not agree.
constexpr const char* kNow = "date_part('epoch', clock_timestamp())";

std::int64_t seconds(std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()); }

double total_seconds(const std::vector<TrialRecord>& trials) {
  double sum = 0;
  for (const auto& t : trials) sum += t.wall_s + t.overhead_s;
  return sum;
}

const std::string& checked_url(const std::string& url) {
  if (!is_server_store(url)) {
    throw StoreError(fmt::format("the work queue needs a PostgreSQL store, not {}: give --store "
                                 "postgresql://USER@HOST/DB (see README, Running on a fleet)", url));
  }
  return url;
}

// FNV-1a of the payload's text, in hex: the same on every host and build.
std::string payload_key(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

}  // namespace

WorkQueue::WorkQueue(const std::string& url) : db_(checked_url(url)) {}

std::int64_t WorkQueue::enqueue(std::int64_t run_id, const std::string& hw_class, const nlohmann::json& payload,
                                const std::string& summary) {
  auto& in = *db_.impl_;
  const auto text = payload.dump();
  const auto key = payload_key(text);
  return in.guarded([&] {
    DbTransaction tx(*in.db);
    // A cancelled item (its coordinator was interrupted) is queued again; any other is left as it is.
    in.db->query("INSERT INTO work_items (run_id, hw_class, payload_json, payload_key, summary) VALUES (?,?,?,?,?) "
                 "ON CONFLICT (run_id, payload_key) WHERE payload_key != '' "
                 "DO UPDATE SET state = 'pending', worker = '' WHERE work_items.state = 'cancelled'",
                 {run_id, hw_class, text, key, summary});
    const auto id = in.db->query("SELECT id FROM work_items WHERE run_id = ? AND payload_key = ?", {run_id, key})
                        .at(0)
                        .integer(0);
    tx.commit();
    return id;
  });
}

std::vector<std::int64_t> WorkQueue::done_items(std::int64_t run_id) {
  auto& in = *db_.impl_;
  return in.guarded([&] {
    std::vector<std::int64_t> ids;
    for (const auto& r : in.db->query("SELECT id FROM work_items WHERE run_id = ? AND state = 'done' ORDER BY done_at, id",
                                      {run_id})) {
      ids.push_back(r.integer(0));
    }
    return ids;
  });
}

std::size_t WorkQueue::live_workers(const std::string& hw_class, std::chrono::seconds alive) {
  auto& in = *db_.impl_;
  return in.guarded([&] {
    return static_cast<std::size_t>(
        in.db->query(fmt::format("SELECT count(*) FROM workers WHERE hw_class = ? AND last_seen > {} - ?", kNow),
                     {hw_class, seconds(alive)})
            .at(0)
            .integer(0));
  });
}

void WorkQueue::cancel(std::int64_t run_id) {
  auto& in = *db_.impl_;
  in.guarded([&] {
    return in.db->query("UPDATE work_items SET state = 'cancelled' WHERE run_id = ? AND state IN ('pending', 'leased')",
                        {run_id});
  });
}

void WorkQueue::announce(const WorkerInfo& w) {
  auto& in = *db_.impl_;
  in.guarded([&] {
    return in.db->query(fmt::format("INSERT INTO workers (id, hostname, hw_class, last_seen) VALUES (?,?,?,{0}) "
                                    "ON CONFLICT (id) DO UPDATE SET last_seen = {0}, item = 0",
                                    kNow),
                        {w.id, w.hostname, w.hw_class});
  });
}

std::optional<WorkItem> WorkQueue::lease(const WorkerInfo& w, std::chrono::seconds lease_for) {
  auto& in = *db_.impl_;
  return in.guarded([&]() -> std::optional<WorkItem> {
    DbTransaction tx(*in.db);
    // SKIP LOCKED: workers asking at once each get a different item, none waits for another.
    const auto rows = in.db->query(
        fmt::format("UPDATE work_items SET state = 'leased', worker = ?, attempt = attempt + 1, lease_until = {0} + ? "
                    "WHERE id = (SELECT id FROM work_items WHERE hw_class = ? AND (state = 'pending' OR "
                    "(state = 'leased' AND lease_until < {0})) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                    "RETURNING id, run_id, payload_json, attempt",
                    kNow),
        {w.id, seconds(lease_for), w.hw_class});
    const std::int64_t item_id = rows.empty() ? 0 : rows.front().integer(0);
    in.db->query(fmt::format("UPDATE workers SET last_seen = {}, item = ? WHERE id = ?", kNow), {item_id, w.id});
    tx.commit();
    if (rows.empty()) return std::nullopt;
    const auto& r = rows.front();
    return WorkItem{r.integer(0), r.integer(1), w.hw_class, nlohmann::json::parse(r.text(2)),
                    static_cast<int>(r.integer(3)), w.id};
  });
}

bool WorkQueue::heartbeat(const WorkItem& item, std::chrono::seconds lease_for) {
  auto& in = *db_.impl_;
  return in.guarded([&] {
    in.db->query(fmt::format("UPDATE workers SET last_seen = {} WHERE id = ?", kNow), {item.worker});
    return !in.db
                ->query(fmt::format("UPDATE work_items SET lease_until = {} + ? WHERE id = ? AND worker = ? AND "
                                    "attempt = ? AND state = 'leased' RETURNING id",
                                    kNow),
                        {seconds(lease_for), item.id, item.worker, std::int64_t{item.attempt}})
                .empty();
  });
}

bool WorkQueue::complete(const WorkItem& item, std::vector<TrialRecord> trials) {
  auto& in = *db_.impl_;
  return in.guarded([&] {
    DbTransaction tx(*in.db);
    // The row lock orders this against a lease of the same item by another worker.
    const auto rows = in.db->query("SELECT state, worker, attempt FROM work_items WHERE id = ? FOR UPDATE", {item.id});
    if (rows.empty()) return false;
    const auto& r = rows.front();
    const bool ours = r.text(1) == item.worker && r.integer(2) == item.attempt;
    if (!ours) return false;
    if (r.text(0) == "done") return true;  // an earlier call committed; its answer was lost
    if (r.text(0) != "leased") return false;  // cancelled
    for (auto& t : trials) {
      t.run_id = item.run_id;
      in.insert_trial(t);
    }
    in.db->query(fmt::format("UPDATE work_items SET state = 'done', done_at = {0}, seconds = ? WHERE id = ?", kNow),
                 {total_seconds(trials), item.id});
    in.db->query(fmt::format("UPDATE workers SET last_seen = {}, item = 0 WHERE id = ?", kNow), {item.worker});
    tx.commit();
    return true;
  });
}

void WorkQueue::release(const WorkItem& item) {
  auto& in = *db_.impl_;
  in.guarded([&] {
    return in.db->query("UPDATE work_items SET state = 'pending', worker = '' WHERE id = ? AND worker = ? AND "
                        "attempt = ? AND state = 'leased'",
                        {item.id, item.worker, std::int64_t{item.attempt}});
  });
}

void WorkQueue::retire(const WorkerInfo& worker) {
  auto& in = *db_.impl_;
  in.guarded([&] { return in.db->query("DELETE FROM workers WHERE id = ?", {worker.id}); });
}

FleetStatus WorkQueue::status() {
  auto& in = *db_.impl_;
  return in.guarded([&] {
    FleetStatus s;
    for (const auto& r : in.db->query(fmt::format(
             "SELECT w.id, w.hostname, w.hw_class, {0} - w.last_seen, w.item, coalesce(i.summary, '') FROM workers w "
             "LEFT JOIN work_items i ON i.id = w.item WHERE w.last_seen > {0} - 3600 ORDER BY w.hw_class, w.id",
             kNow))) {
      WorkerStatus w{{r.text(0), r.text(1), r.text(2)}, r.real(3), std::nullopt, r.text(5)};
      if (r.integer(4) != 0) w.item = r.integer(4);
      s.workers.push_back(std::move(w));
    }
    for (const auto& r : in.db->query(
             "SELECT hw_class, sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), "
             "sum(CASE WHEN state = 'leased' THEN 1 ELSE 0 END), sum(CASE WHEN state = 'done' THEN 1 ELSE 0 END), "
             "percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN state = 'done' THEN seconds END) "
             "FROM work_items GROUP BY hw_class HAVING sum(CASE WHEN state IN ('pending', 'leased') THEN 1 ELSE 0 END) > 0 "
             "ORDER BY hw_class")) {
      ClassQueue q{r.text(0), r.integer(1), r.integer(2), r.integer(3), std::nullopt};
      if (!r.text(4).empty()) q.median_item_s = r.real(4);
      s.queues.push_back(std::move(q));
    }
    return s;
  });
}

}  // namespace scxlab::store
