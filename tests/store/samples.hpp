// The run and trials the store's tests write, to a SQLite file or a PostgreSQL database.
#pragma once

#include "store/store.hpp"

namespace scxlab::store {

inline TrialRecord sample_trial(std::int64_t run_id, int seq) {
  TrialRecord t;
  t.run_id = run_id;
  t.seq = seq;
  t.round = seq / 2;
  t.kind = TrialKind::measure;
  t.scheduler = seq % 2 ? "scx_lavd:gaming" : "eevdf";
  t.scheduler_config = {{"scheduler", t.scheduler}, {"args", {"--performance"}}};
  t.workload = "messaging";
  t.workload_params = {{"groups", "4"}};
  t.status = TrialStatus::ok;
  t.started_utc = "2026-11-24T10:00:00Z";
  t.ended_utc = "2026-11-24T10:00:02Z";
  t.wall_s = 1.5 + seq;
  t.overhead_s = 0.1;
  t.metrics = {{"time_s", 1.25 + seq, "s", Direction::lower_is_better, "workload"},
               {"ctx_switches", 1000.0 * seq, "count", Direction::informational, "perf"}};
  t.unavailable = {{"cycles", "not supported by this host's PMU"}};
  stats::LogLinearHistogram h;
  for (std::uint64_t v = 1; v < 5000; v += 7) h.record(v);
  t.histograms = {{"runq_wait", "ns", h}};
  return t;
}

inline std::int64_t sample_run(ResultsDb& db) {
  RunInfo r;
  r.kind = "shootout";
  r.created_utc = "2026-11-24T10:00:00Z";
  r.scxlab_version = "0.1.0";
  r.host = {{"kernel", "6.18"}};
  r.plan = {{"reps", 5}};
  r.seed = 42;
  r.status = "running";
  return db.create_run(r);
}

}  // namespace scxlab::store
