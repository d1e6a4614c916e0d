#include "store/store.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_map>

#include <sqlite3.h>

#include <fmt/format.h>

#include "store/sqlite.hpp"

namespace scxlab::store {
namespace fs = std::filesystem;
namespace {

// Migration i takes a database from schema version i to i + 1. Append, never edit.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  created_utc TEXT NOT NULL,
  scxlab_version TEXT NOT NULL,
  host_json TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  seed INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE TABLE trials (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  seq INTEGER NOT NULL,
  round INTEGER NOT NULL,
  kind TEXT NOT NULL,
  scheduler TEXT NOT NULL,
  scheduler_config_json TEXT NOT NULL,
  workload TEXT NOT NULL,
  workload_params_json TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  stderr_tail TEXT NOT NULL,
  started_utc TEXT NOT NULL,
  ended_utc TEXT NOT NULL,
  wall_s REAL NOT NULL,
  overhead_s REAL NOT NULL
);
CREATE INDEX trials_by_run ON trials(run_id, seq);
CREATE TABLE metrics (
  trial_id INTEGER NOT NULL REFERENCES trials(id),
  name TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL,
  direction TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE INDEX metrics_by_trial ON metrics(trial_id);
CREATE TABLE unavailable (
  trial_id INTEGER NOT NULL REFERENCES trials(id),
  name TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE histograms (
  trial_id INTEGER NOT NULL REFERENCES trials(id),
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  buckets_json TEXT NOT NULL
);
)sql",
    // 1 -> 2: what a run concluded, beyond its trials (a tune's recommendation), for reports.
    R"sql(
ALTER TABLE runs ADD COLUMN outcome_json TEXT NOT NULL DEFAULT 'null';
)sql",
    // 2 -> 3: named baselines for gates (scxlab baseline save).
    R"sql(
CREATE TABLE baselines (
  name TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  label TEXT NOT NULL,
  saved_utc TEXT NOT NULL
);
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

std::string random_uuid() {
  unsigned char b[16];
  std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(b), sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // variant 1
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

constexpr TrialKind kTrialKinds[] = {TrialKind::warmup, TrialKind::measure, TrialKind::tune, TrialKind::validate};
constexpr TrialStatus kTrialStatuses[] = {TrialStatus::ok, TrialStatus::ejected, TrialStatus::failed,
                                          TrialStatus::timed_out, TrialStatus::interrupted};

template <typename Enum, std::size_t N>
Enum from_word(const Enum (&all)[N], std::string_view word, const char* what) {
  for (const auto e : all) {
    if (to_string(e) == word) return e;
  }
  std::string list;
  for (const auto e : all) list += fmt::format("{}{}", list.empty() ? "" : ", ", to_string(e));
  throw StoreError(fmt::format("a trial's {} is '{}' (valid: {})", what, word, list));
}

// A user-facing message for a SQLite failure on `path`, naming the fix.
std::string explain(const std::string& path, const SqliteError& e) {
  switch (e.code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return fmt::format("{} is not a usable scxlab results DB ({}): give the output directory of an scxlab run, "
                         "or a new directory with --out", path, e.what());
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fmt::format("results DB {} is locked by another process ({}): wait for the other scxlab to finish, "
                         "or use another directory with --out", path, e.what());
    case SQLITE_FULL:
      return fmt::format("cannot write results DB {}: the disk is full: free space, or use another directory with --out",
                         path);
    default:
      return fmt::format("cannot use results DB {}: {}: choose a writable directory with --out", path, e.what());
  }
}

RunInfo read_run(const Statement& s) {
  RunInfo r;
  r.id = s.integer(0);
  r.uuid = s.text(1);
  r.kind = s.text(2);
  r.created_utc = s.text(3);
  r.scxlab_version = s.text(4);
  r.host = nlohmann::json::parse(s.text(5));
  r.plan = nlohmann::json::parse(s.text(6));
  r.seed = static_cast<std::uint64_t>(s.integer(7));
  r.status = s.text(8);
  r.outcome = nlohmann::json::parse(s.text(9));
  return r;
}

TrialRecord read_trial(const Statement& s) {
  TrialRecord t;
  t.id = s.integer(0);
  t.run_id = s.integer(1);
  t.seq = static_cast<int>(s.integer(2));
  t.round = static_cast<int>(s.integer(3));
  t.kind = trial_kind_from(s.text(4));
  t.scheduler = s.text(5);
  t.scheduler_config = nlohmann::json::parse(s.text(6));
  t.workload = s.text(7);
  t.workload_params = nlohmann::json::parse(s.text(8));
  t.status = trial_status_from(s.text(9));
  t.reason = s.text(10);
  t.stderr_tail = s.text(11);
  t.started_utc = s.text(12);
  t.ended_utc = s.text(13);
  t.wall_s = s.real(14);
  t.overhead_s = s.real(15);
  return t;
}

constexpr const char* kRunColumns =
    "id, uuid, kind, created_utc, scxlab_version, host_json, plan_json, seed, status, outcome_json";

}  // namespace

struct ResultsDb::Impl {
  std::string path;
  Connection db;

  explicit Impl(const std::string& p) : path(p), db(p) {}

  void refuse_newer(int version) const {
    if (version <= kSchemaVersion) return;
    throw StoreError(fmt::format(
        "results DB {} has schema version {}, newer than this scxlab understands ({}): use a newer "
        "scxlab, or write to a new directory with --out",
        path, version, kSchemaVersion));
  }

  // Each step is its own transaction and re-reads the version under the write lock, so two
  // processes opening a new file at once do not both create the tables.
  void migrate() {
    refuse_newer(db.user_version());
    for (int target = 1; target <= kSchemaVersion; ++target) {
      Transaction t(db);
      const int version = db.user_version();
      refuse_newer(version);
      if (version >= target) continue;
      db.exec(kMigrations[version]);
      db.exec(fmt::format("PRAGMA user_version = {}", target));
      t.commit();
    }
  }

  std::int64_t insert_run(const RunInfo& run) {
    Statement s(db,
                "INSERT INTO runs (uuid, kind, created_utc, scxlab_version, host_json, plan_json, seed, status, "
                "outcome_json) VALUES (?,?,?,?,?,?,?,?,?)");
    s.bind(1, run.uuid).bind(2, run.kind).bind(3, run.created_utc).bind(4, run.scxlab_version)
        .bind(5, run.host.dump()).bind(6, run.plan.dump()).bind(7, static_cast<std::int64_t>(run.seed))
        .bind(8, run.status).bind(9, run.outcome.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).run();
    return db.last_insert_id();
  }

  std::optional<std::int64_t> run_id_of(const std::string& uuid) {
    Statement s(db, "SELECT id FROM runs WHERE uuid = ?");
    s.bind(1, uuid);
    if (!s.step()) return std::nullopt;
    return s.integer(0);
  }

  std::int64_t insert_trial(const TrialRecord& t) {
    Statement s(db,
                "INSERT INTO trials (run_id, seq, round, kind, scheduler, scheduler_config_json, workload, "
                "workload_params_json, status, reason, stderr_tail, started_utc, ended_utc, wall_s, overhead_s) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, t.run_id).bind(2, static_cast<std::int64_t>(t.seq)).bind(3, static_cast<std::int64_t>(t.round))
        .bind(4, std::string(to_string(t.kind))).bind(5, t.scheduler).bind(6, t.scheduler_config.dump()).bind(7, t.workload)
        .bind(8, t.workload_params.dump()).bind(9, std::string(to_string(t.status))).bind(10, t.reason).bind(11, t.stderr_tail)
        .bind(12, t.started_utc).bind(13, t.ended_utc).bind(14, t.wall_s).bind(15, t.overhead_s).run();
    const auto id = db.last_insert_id();
    insert_trial_children(id, t);
    return id;
  }

  void insert_trial_children(std::int64_t trial_id, const TrialRecord& t) {
    Statement m(db, "INSERT INTO metrics (trial_id, name, value, unit, direction, source) VALUES (?,?,?,?,?,?)");
    for (const auto& metric : t.metrics) {
      m.bind(1, trial_id).bind(2, metric.name).bind(3, metric.value).bind(4, metric.unit)
          .bind(5, std::string(to_string(metric.direction))).bind(6, metric.source).run();
      m.reset();
    }
    Statement u(db, "INSERT INTO unavailable (trial_id, name, reason) VALUES (?,?,?)");
    for (const auto& un : t.unavailable) {
      u.bind(1, trial_id).bind(2, un.name).bind(3, un.reason).run();
      u.reset();
    }
    Statement h(db, "INSERT INTO histograms (trial_id, name, unit, buckets_json) VALUES (?,?,?,?)");
    for (const auto& hist : t.histograms) {
      h.bind(1, trial_id).bind(2, hist.name).bind(3, hist.unit).bind(4, buckets_to_json(hist.hist).dump()).run();
      h.reset();
    }
  }

  // Three queries for the whole run (not three per trial): children are attached by trial id.
  void load_trial_children(std::int64_t run_id, std::vector<TrialRecord>& trials) {
    std::unordered_map<std::int64_t, TrialRecord*> by_id;
    for (auto& t : trials) by_id[t.id] = &t;
    constexpr const char* kOfRun = " WHERE trial_id IN (SELECT id FROM trials WHERE run_id = ?) ORDER BY rowid";
    Statement m(db, std::string("SELECT trial_id, name, value, unit, direction, source FROM metrics") + kOfRun);
    m.bind(1, run_id);
    while (m.step()) {
      by_id.at(m.integer(0))->metrics.push_back(
          {m.text(1), m.real(2), m.text(3), direction_from_string(m.text(4)).value_or(Direction::informational),
           m.text(5)});
    }
    Statement u(db, std::string("SELECT trial_id, name, reason FROM unavailable") + kOfRun);
    u.bind(1, run_id);
    while (u.step()) by_id.at(u.integer(0))->unavailable.push_back({u.text(1), u.text(2)});
    Statement h(db, std::string("SELECT trial_id, name, unit, buckets_json FROM histograms") + kOfRun);
    h.bind(1, run_id);
    while (h.step()) {
      by_id.at(h.integer(0))->histograms.push_back(
          {h.text(1), h.text(2), buckets_from_json(nlohmann::json::parse(h.text(3)))});
    }
  }

  // Runs `f`, turning SQLite's errors into a StoreError that names the file and the fix.
  template <typename F>
  auto guarded(F&& f) {
    try {
      return f();
    } catch (const SqliteError& e) {
      throw StoreError(explain(path, e));
    }
  }
};

ResultsDb::ResultsDb(const std::string& path) {
  const auto dir = fs::path(path).parent_path();
  std::error_code ec;  // a directory we may not look into (type none) is left to SQLite's message
  if (const auto type = fs::status(dir.empty() ? "." : dir, ec).type();
      type != fs::file_type::directory && type != fs::file_type::none) {
    throw StoreError(fmt::format("cannot create results DB {}: {} {}: create the directory, or choose another with "
                                 "--out", path, dir.string(),
                                 type == fs::file_type::not_found ? "does not exist" : "is not a directory"));
  }
  try {
    auto impl = std::make_unique<Impl>(path);
    // The default rollback journal with synchronous=FULL: a commit is on disk when COMMIT
    // returns, and the run directory stays one file (WAL would add -wal and -shm files).
    impl->db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    impl->migrate();
    impl_ = impl.release();
  } catch (const SqliteError& e) {
    throw StoreError(explain(path, e));
  }
}

ResultsDb::~ResultsDb() { delete impl_; }

ResultsDb::ResultsDb(ResultsDb&& other) noexcept : impl_(other.impl_) { other.impl_ = nullptr; }

int ResultsDb::schema_version() const {
  return impl_->guarded([&] { return impl_->db.user_version(); });
}

std::string ResultsDb::path() const { return impl_->path; }

std::int64_t ResultsDb::create_run(RunInfo run) {
  if (run.uuid.empty()) run.uuid = random_uuid();
  return impl_->guarded([&] { return impl_->insert_run(run); });
}

std::int64_t ResultsDb::import_run(const StoredRun& stored) {
  return impl_->guarded([&] {
    Transaction tx(impl_->db);
    if (const auto id = impl_->run_id_of(stored.run.uuid)) return *id;
    auto run = stored.run;
    if (run.uuid.empty()) run.uuid = random_uuid();
    const auto run_id = impl_->insert_run(run);
    for (auto t : stored.trials) {
      t.run_id = run_id;
      impl_->insert_trial(t);
    }
    tx.commit();
    return run_id;
  });
}

std::optional<RunInfo> ResultsDb::run_by_uuid(const std::string& uuid) const {
  return impl_->guarded([&]() -> std::optional<RunInfo> {
    const auto id = impl_->run_id_of(uuid);
    return id ? run(*id) : std::nullopt;
  });
}

void ResultsDb::save_baseline(const Baseline& b) {
  impl_->guarded([&] {
    if (!run(b.run_id)) throw StoreError(fmt::format("{} has no run {} to save as baseline {}", impl_->path, b.run_id, b.name));
    Statement s(impl_->db, "INSERT OR REPLACE INTO baselines (name, run_id, label, saved_utc) VALUES (?,?,?,?)");
    s.bind(1, b.name).bind(2, b.run_id).bind(3, b.label).bind(4, b.saved_utc).run();
  });
}

std::optional<Baseline> ResultsDb::baseline(const std::string& name) const {
  for (auto& b : baselines()) {
    if (b.name == name) return b;
  }
  return std::nullopt;
}

std::vector<Baseline> ResultsDb::baselines() const {
  return impl_->guarded([&] {
    Statement s(impl_->db, "SELECT name, run_id, label, saved_utc FROM baselines ORDER BY name");
    std::vector<Baseline> out;
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.text(2), s.text(3)});
    return out;
  });
}

void ResultsDb::set_run_status(std::int64_t run_id, const std::string& status) {
  impl_->guarded([&] {
    Statement s(impl_->db, "UPDATE runs SET status = ? WHERE id = ?");
    s.bind(1, status).bind(2, run_id).run();
  });
}

void ResultsDb::set_run_outcome(std::int64_t run_id, const nlohmann::json& outcome) {
  impl_->guarded([&] {
    Statement s(impl_->db, "UPDATE runs SET outcome_json = ? WHERE id = ?");
    s.bind(1, outcome.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).bind(2, run_id).run();
  });
}

std::int64_t ResultsDb::add_trial(TrialRecord t) {
  return impl_->guarded([&] {
    Transaction tx(impl_->db);
    const auto id = impl_->insert_trial(t);
    tx.commit();
    return id;
  });
}

std::vector<RunInfo> ResultsDb::runs() const {
  return impl_->guarded([&] {
    Statement s(impl_->db, fmt::format("SELECT {} FROM runs ORDER BY id", kRunColumns));
    std::vector<RunInfo> out;
    while (s.step()) out.push_back(read_run(s));
    return out;
  });
}

std::optional<RunInfo> ResultsDb::run(std::int64_t run_id) const {
  return impl_->guarded([&]() -> std::optional<RunInfo> {
    Statement s(impl_->db, fmt::format("SELECT {} FROM runs WHERE id = ?", kRunColumns));
    s.bind(1, run_id);
    if (!s.step()) return std::nullopt;
    return read_run(s);
  });
}

std::vector<TrialRecord> ResultsDb::trials(std::int64_t run_id) const {
  return impl_->guarded([&] {
    // One read transaction: a writer committing meanwhile cannot split a trial from its metrics.
    Transaction tx(impl_->db, Transaction::Mode::read);
    Statement s(impl_->db,
                "SELECT id, run_id, seq, round, kind, scheduler, scheduler_config_json, workload, "
                "workload_params_json, status, reason, stderr_tail, started_utc, ended_utc, wall_s, overhead_s "
                "FROM trials WHERE run_id = ? ORDER BY seq, id");
    s.bind(1, run_id);
    std::vector<TrialRecord> out;
    while (s.step()) out.push_back(read_trial(s));
    impl_->load_trial_children(run_id, out);
    tx.commit();
    return out;
  });
}

std::set<int> ResultsDb::completed_seqs(std::int64_t run_id) const {
  return impl_->guarded([&] {
    Statement s(impl_->db, "SELECT DISTINCT seq FROM trials WHERE run_id = ? AND status != 'interrupted'");
    s.bind(1, run_id);
    std::set<int> out;
    while (s.step()) out.insert(static_cast<int>(s.integer(0)));
    return out;
  });
}

std::string_view to_string(TrialKind kind) {
  switch (kind) {
    case TrialKind::warmup: return "warmup";
    case TrialKind::measure: return "measure";
    case TrialKind::tune: return "tune";
    case TrialKind::validate: return "validate";
  }
  return "?";
}

std::string_view to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::ok: return "ok";
    case TrialStatus::ejected: return "ejected";
    case TrialStatus::failed: return "failed";
    case TrialStatus::timed_out: return "timed_out";
    case TrialStatus::interrupted: return "interrupted";
  }
  return "?";
}

TrialKind trial_kind_from(std::string_view word) { return from_word(kTrialKinds, word, "kind"); }
TrialStatus trial_status_from(std::string_view word) { return from_word(kTrialStatuses, word, "status"); }

}  // namespace scxlab::store
