#include "store/store.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <unordered_map>

#include <fmt/format.h>

#include "store/database.hpp"
#include "store/results_db_impl.hpp"

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
    // 3 -> 4: a fleet. Trials record the host and hardware class that ran them; the work queue
    // (store/queue.hpp) holds items for workers of a class, and the workers seen.
    R"sql(
ALTER TABLE trials ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE trials ADD COLUMN hw_class TEXT NOT NULL DEFAULT '';
CREATE TABLE work_items (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  hw_class TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  worker TEXT NOT NULL DEFAULT '',
  attempt INTEGER NOT NULL DEFAULT 0,
  lease_until REAL NOT NULL DEFAULT 0,
  done_at REAL NOT NULL DEFAULT 0,
  seconds REAL NOT NULL DEFAULT 0
);
CREATE INDEX work_items_by_class ON work_items(hw_class, state, id);
CREATE INDEX work_items_by_run ON work_items(run_id, state);
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  hw_class TEXT NOT NULL,
  last_seen REAL NOT NULL,
  item INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 4 -> 5: an item is queued once per run and content (payload_key, a hash of its payload), so
    // that an enqueue retried after a lost answer, or repeated by a resumed coordinator, finds
    // the item it made instead of making another; its summary says what it runs (fleet status).
    R"sql(
ALTER TABLE work_items ADD COLUMN payload_key TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN summary TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX work_items_by_key ON work_items(run_id, payload_key) WHERE payload_key != '';
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

// The migrations are written in SQLite's words; PostgreSQL runs the same schema in its own: a
// rowid table's key becomes a BIGSERIAL, integers 64-bit, reals double precision. The child
// tables get the `rowid` SQLite keeps by itself, which their rows are read back in order of.
std::string migration_sql(Dialect dialect, int from_version) {
  std::string sql = kMigrations[from_version];
  if (dialect == Dialect::sqlite) return sql;
  sql = std::regex_replace(sql, std::regex(R"(\bINTEGER PRIMARY KEY\b)"), "BIGSERIAL PRIMARY KEY");
  sql = std::regex_replace(sql, std::regex(R"(\bINTEGER\b)"), "BIGINT");
  sql = std::regex_replace(sql, std::regex(R"(\bREAL\b)"), "DOUBLE PRECISION");
  if (from_version == 0) {
    for (const char* table : {"metrics", "unavailable", "histograms"}) {
      sql += fmt::format("ALTER TABLE {} ADD COLUMN rowid BIGSERIAL;\n", table);
    }
  }
  return sql;
}

// A URL as messages show it: without its password.
std::string redacted(const std::string& location) {
  auto shown = std::regex_replace(location, std::regex(R"((://[^:/@]*:)[^@]*@)"), "$1***@");
  return std::regex_replace(shown, std::regex(R"((password=)[^&]*)"), "$1***");
}

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


RunInfo read_run(const SqlRow& s) {
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

TrialRecord read_trial(const SqlRow& s) {
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
  t.host = s.text(16);
  t.hw_class = s.text(17);
  return t;
}

constexpr const char* kRunColumns =
    "id, uuid, kind, created_utc, scxlab_version, host_json, plan_json, seed, status, outcome_json";

}  // namespace

std::string explain(const std::string& where, bool server, const DatabaseError& e) {
  // libpq's messages span lines and end in one.
  auto message = std::regex_replace(std::string(e.what()), std::regex(R"(\s+)"), " ");
  message = std::regex_replace(message, std::regex(R"(^ | $)"), "");
  using Kind = DatabaseError::Kind;
  switch (e.kind) {
    case Kind::not_a_database:
      return fmt::format("{} is not a usable scxlab results DB ({}): give the output directory of an scxlab run, "
                         "or a new directory with --out", where, message);
    case Kind::busy:
      return fmt::format("results DB {} is locked by another process ({}): wait for the other scxlab to finish, "
                         "or use another directory with --out", where, message);
    case Kind::full:
      return fmt::format("cannot write results DB {}: the disk is full: free space, or use another directory with --out",
                         where);
    case Kind::unreachable:
      return fmt::format("cannot reach the results store {} ({}): start PostgreSQL there, or correct the host and "
                         "port in the URL", where, message);
    case Kind::refused:
      return fmt::format("the results store {} refused scxlab ({}): correct the user, password or database in the "
                         "URL (or ~/.pgpass), or let this host in with the server's pg_hba.conf", where, message);
    case Kind::forbidden:
      return fmt::format("the results store {} does not let its user create or write scxlab's tables ({}): make the "
                         "user the database's owner (ALTER DATABASE ... OWNER TO ...)", where, message);
    case Kind::other: break;
  }
  if (server) return fmt::format("the results store {} failed: {}", where, message);
  return fmt::format("cannot use results DB {}: {}: choose a writable directory with --out", where, message);
}

void ResultsDb::Impl::refuse_newer(int version) const {
  if (version <= kSchemaVersion) return;
  throw StoreError(fmt::format(
      "results DB {} has schema version {}, newer than this scxlab understands ({}): use a newer "
      "scxlab, or write to {}",
      where, version, kSchemaVersion, server ? "another database" : "a new directory with --out"));
}

void ResultsDb::Impl::migrate() {
  refuse_newer(db->schema_version());
  for (int target = 1; target <= kSchemaVersion; ++target) {
    DbTransaction t(*db);
    db->lock_schema();
    const int version = db->schema_version();
    refuse_newer(version);
    if (version >= target) continue;
    db->execute_script(migration_sql(db->dialect(), version));
    db->set_schema_version(target);
    t.commit();
  }
}

namespace {

// A file's directory must exist: SQLite's own message for a missing one names no fix.
void check_directory_of(const std::string& path) {
  const auto dir = fs::path(path).parent_path();
  std::error_code ec;  // a directory we may not look into (type none) is left to SQLite's message
  if (const auto type = fs::status(dir.empty() ? "." : dir, ec).type();
      type != fs::file_type::directory && type != fs::file_type::none) {
    throw StoreError(fmt::format("cannot create results DB {}: {} {}: create the directory, or choose another with "
                                 "--out", path, dir.string(),
                                 type == fs::file_type::not_found ? "does not exist" : "is not a directory"));
  }
}

}  // namespace

bool is_server_store(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

ResultsDb::ResultsDb(const std::string& location) {
  auto impl = std::make_unique<Impl>();
  impl->server = is_server_store(location);
  impl->where = impl->server ? redacted(location) : location;
  if (!impl->server) check_directory_of(location);
  impl->guarded([&] {
    impl->db = impl->server ? open_postgresql(location) : open_sqlite(location);
    impl->migrate();
    return 0;
  });
  impl_ = impl.release();
}

ResultsDb::~ResultsDb() { delete impl_; }

ResultsDb::ResultsDb(ResultsDb&& other) noexcept : impl_(other.impl_) { other.impl_ = nullptr; }

int ResultsDb::schema_version() const {
  return impl_->guarded([&] { return impl_->db->schema_version(); });
}

std::string ResultsDb::path() const { return impl_->where; }

std::int64_t ResultsDb::create_run(RunInfo run) {
  if (run.uuid.empty()) run.uuid = random_uuid();
  return impl_->guarded([&] { return impl_->insert_run(run); });
}

std::int64_t ResultsDb::import_run(const StoredRun& stored) {
  return impl_->guarded([&] {
    DbTransaction tx(*impl_->db);
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
    if (!run(b.run_id)) throw StoreError(fmt::format("{} has no run {} to save as baseline {}", impl_->where, b.run_id, b.name));
    impl_->db->query("INSERT INTO baselines (name, run_id, label, saved_utc) VALUES (?,?,?,?) ON CONFLICT (name) "
                     "DO UPDATE SET run_id = excluded.run_id, label = excluded.label, saved_utc = excluded.saved_utc",
                     {b.name, b.run_id, b.label, b.saved_utc});
    return 0;
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
    std::vector<Baseline> out;
    for (const auto& r : impl_->db->query("SELECT name, run_id, label, saved_utc FROM baselines ORDER BY name")) {
      out.push_back({r.text(0), r.integer(1), r.text(2), r.text(3)});
    }
    return out;
  });
}

void ResultsDb::set_run_status(std::int64_t run_id, const std::string& status) {
  impl_->guarded([&] { return impl_->db->query("UPDATE runs SET status = ? WHERE id = ?", {status, run_id}); });
}

void ResultsDb::set_run_outcome(std::int64_t run_id, const nlohmann::json& outcome) {
  impl_->guarded([&] {
    return impl_->db->query("UPDATE runs SET outcome_json = ? WHERE id = ?",
                            {outcome.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), run_id});
  });
}

std::int64_t ResultsDb::add_trial(TrialRecord t) {
  return impl_->guarded([&] {
    DbTransaction tx(*impl_->db);
    const auto id = impl_->insert_trial(t);
    tx.commit();
    return id;
  });
}

std::vector<RunInfo> ResultsDb::runs() const {
  return impl_->guarded([&] {
    std::vector<RunInfo> out;
    for (const auto& r : impl_->db->query(fmt::format("SELECT {} FROM runs ORDER BY id", kRunColumns))) {
      out.push_back(read_run(r));
    }
    return out;
  });
}

std::optional<RunInfo> ResultsDb::run(std::int64_t run_id) const {
  return impl_->guarded([&]() -> std::optional<RunInfo> {
    const auto rows = impl_->db->query(fmt::format("SELECT {} FROM runs WHERE id = ?", kRunColumns), {run_id});
    if (rows.empty()) return std::nullopt;
    return read_run(rows.front());
  });
}

std::vector<TrialRecord> ResultsDb::trials(std::int64_t run_id, int first_seq, int last_seq) const {
  return impl_->guarded([&] {
    // One read transaction: a writer committing meanwhile cannot split a trial from its metrics.
    DbTransaction tx(*impl_->db, Database::Mode::read);
    std::vector<TrialRecord> out;
    for (const auto& r : impl_->db->query(
             "SELECT id, run_id, seq, round, kind, scheduler, scheduler_config_json, workload, "
             "workload_params_json, status, reason, stderr_tail, started_utc, ended_utc, wall_s, overhead_s, host, "
             "hw_class FROM trials WHERE run_id = ? AND seq BETWEEN ? AND ? ORDER BY seq, id",
             {run_id, first_seq, last_seq})) {
      out.push_back(read_trial(r));
    }
    impl_->load_trial_children(run_id, first_seq, last_seq, out);
    tx.commit();
    return out;
  });
}

std::set<int> ResultsDb::completed_seqs(std::int64_t run_id) const {
  return impl_->guarded([&] {
    std::set<int> out;
    for (const auto& r :
         impl_->db->query("SELECT DISTINCT seq FROM trials WHERE run_id = ? AND status != 'interrupted'", {run_id})) {
      out.insert(static_cast<int>(r.integer(0)));
    }
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
