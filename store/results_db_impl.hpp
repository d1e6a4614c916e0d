// The inside of ResultsDb, shared with the work queue (store/queue.cpp), whose leases and
// completions are written in the same database and transactions as the results. Internal to the
// store library.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"
#include "store/store.hpp"

namespace scxlab::store {

// A user-facing message of one line for a failure of the store at `where`, naming the fix.
std::string explain(const std::string& where, bool server, const DatabaseError& e);

struct ResultsDb::Impl {
  std::string where;  // the file, or the server's URL without its password
  bool server = false;
  std::unique_ptr<Database> db;

  void refuse_newer(int version) const;
  // Each step is its own transaction and re-reads the version under the schema lock, so two
  // processes opening a new store at once do not both create the tables.
  void migrate();

  std::int64_t insert_run(const RunInfo& run) {
    return db->query("INSERT INTO runs (uuid, kind, created_utc, scxlab_version, host_json, plan_json, seed, status, "
                     "outcome_json) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                     {run.uuid, run.kind, run.created_utc, run.scxlab_version, run.host.dump(), run.plan.dump(),
                      static_cast<std::int64_t>(run.seed), run.status,
                      run.outcome.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)})
        .at(0)
        .integer(0);
  }

  std::optional<std::int64_t> run_id_of(const std::string& uuid) {
    const auto rows = db->query("SELECT id FROM runs WHERE uuid = ?", {uuid});
    if (rows.empty()) return std::nullopt;
    return rows.front().integer(0);
  }

  std::int64_t insert_trial(const TrialRecord& t) {
    const auto id =
        db->query("INSERT INTO trials (run_id, seq, round, kind, scheduler, scheduler_config_json, workload, "
                  "workload_params_json, status, reason, stderr_tail, started_utc, ended_utc, wall_s, overhead_s, host, "
                  "hw_class) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                  {t.run_id, std::int64_t{t.seq}, std::int64_t{t.round}, std::string(to_string(t.kind)), t.scheduler,
                   t.scheduler_config.dump(), t.workload, t.workload_params.dump(), std::string(to_string(t.status)),
                   t.reason, t.stderr_tail, t.started_utc, t.ended_utc, t.wall_s, t.overhead_s, t.host, t.hw_class})
            .at(0)
            .integer(0);
    insert_trial_children(id, t);
    return id;
  }

  void insert_trial_children(std::int64_t trial_id, const TrialRecord& t) {
    for (const auto& metric : t.metrics) {
      db->query("INSERT INTO metrics (trial_id, name, value, unit, direction, source) VALUES (?,?,?,?,?,?)",
                {trial_id, metric.name, metric.value, metric.unit, std::string(to_string(metric.direction)),
                 metric.source});
    }
    for (const auto& un : t.unavailable) {
      db->query("INSERT INTO unavailable (trial_id, name, reason) VALUES (?,?,?)", {trial_id, un.name, un.reason});
    }
    for (const auto& hist : t.histograms) {
      db->query("INSERT INTO histograms (trial_id, name, unit, buckets_json) VALUES (?,?,?,?)",
                {trial_id, hist.name, hist.unit, buckets_to_json(hist.hist).dump()});
    }
  }

  // Three queries for the whole run (not three per trial): children are attached by trial id.
  void load_trial_children(std::int64_t run_id, int first_seq, int last_seq, std::vector<TrialRecord>& trials) {
    std::unordered_map<std::int64_t, TrialRecord*> by_id;
    for (auto& t : trials) by_id[t.id] = &t;
    constexpr const char* kOfRun =
        " WHERE trial_id IN (SELECT id FROM trials WHERE run_id = ? AND seq BETWEEN ? AND ?) ORDER BY rowid";
    for (const auto& m : db->query(std::string("SELECT trial_id, name, value, unit, direction, source FROM metrics") +
                                       kOfRun, {run_id, first_seq, last_seq})) {
      by_id.at(m.integer(0))->metrics.push_back(
          {m.text(1), m.real(2), m.text(3), direction_from_string(m.text(4)).value_or(Direction::informational),
           m.text(5)});
    }
    for (const auto& u : db->query(std::string("SELECT trial_id, name, reason FROM unavailable") + kOfRun, {run_id, first_seq, last_seq})) {
      by_id.at(u.integer(0))->unavailable.push_back({u.text(1), u.text(2)});
    }
    for (const auto& h :
         db->query(std::string("SELECT trial_id, name, unit, buckets_json FROM histograms") + kOfRun, {run_id, first_seq, last_seq})) {
      by_id.at(h.integer(0))->histograms.push_back(
          {h.text(1), h.text(2), buckets_from_json(nlohmann::json::parse(h.text(3)))});
    }
  }

  // Runs `f`, turning the backend's errors into a StoreError that names the store and the fix.
  template <typename F>
  auto guarded(F&& f) {
    try {
      return f();
    } catch (const DatabaseError& e) {
      if (server && e.kind == DatabaseError::Kind::unreachable) throw StoreUnavailable(explain(where, server, e));
      throw StoreError(explain(where, server, e));
    }
  }
};

}  // namespace scxlab::store
