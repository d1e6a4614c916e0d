// The SQLite backend: one file, the default store of a run directory.
#include <map>

#include <sqlite3.h>

#include "store/database.hpp"

namespace scxlab::store {
namespace {

DatabaseError::Kind kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return DatabaseError::Kind::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DatabaseError::Kind::busy;
    case SQLITE_FULL: return DatabaseError::Kind::full;
    default: return DatabaseError::Kind::other;
  }
}

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DatabaseError(what + ": " + sqlite3_errmsg(db), kind_of(sqlite3_errcode(db)));
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Handle = std::unique_ptr<sqlite3, CloseDb>;
using Prepared = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

Handle open_file(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Handle db(raw);
  if (rc != SQLITE_OK) throw DatabaseError(db ? sqlite3_errmsg(db.get()) : "out of memory", kind_of(rc));
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(const std::string& path) : db_(open_file(path)) {
    // The default rollback journal with synchronous=FULL: a commit is on disk when COMMIT
    // returns, and the run directory stays one file (WAL would add -wal and -shm files).
    execute_script("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  void execute_script(const std::string& sql) override {
    char* error = nullptr;
    if (const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error); rc != SQLITE_OK) {
      const std::string message = error ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      throw DatabaseError(message, kind_of(rc));
    }
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* s = prepared(sql);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (std::size_t i = 0; i < params.size(); ++i) bind(s, static_cast<int>(i) + 1, params[i]);
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(s);  // ends the statement, so that a ROLLBACK can follow
        fail(db_.get(), "step");
      }
      rows.push_back(read_row(s));
    }
    sqlite3_reset(s);
    return rows;
  }

  // BEGIN IMMEDIATE takes the write lock at once: no deadlock between two readers upgrading.
  void begin(Mode mode) override { execute_script(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"); }
  void commit() override { execute_script("COMMIT"); }
  void rollback() noexcept override {
    // A failed statement may have rolled back already: nothing more to undo then.
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void lock_schema() override {}  // the write transaction's lock covers the whole file
  int schema_version() override { return static_cast<int>(query("PRAGMA user_version", {}).at(0).integer(0)); }
  void set_schema_version(int version) override { execute_script("PRAGMA user_version = " + std::to_string(version)); }

 private:
  // Prepared once per statement text: a trial's metrics reuse one INSERT.
  sqlite3_stmt* prepared(const std::string& sql) {
    auto& slot = statements_[sql];
    if (!slot) {
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail(db_.get(), "prepare");
      slot.reset(raw);
    }
    return slot.get();
  }

  void bind(sqlite3_stmt* s, int index, const SqlValue& v) {
    int rc = SQLITE_OK;
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(s, index, *i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(s, index, *d);
    } else {
      const auto& text = std::get<std::string>(v);
      rc = sqlite3_bind_text(s, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) fail(db_.get(), "bind");
  }

  static SqlRow read_row(sqlite3_stmt* s) {
    SqlRow row;
    const int n = sqlite3_column_count(s);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(s, c)) {
        case SQLITE_INTEGER: row.cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(s, c))); break;
        case SQLITE_FLOAT: row.cells.emplace_back(sqlite3_column_double(s, c)); break;
        case SQLITE_NULL: row.cells.emplace_back(std::string()); break;
        default: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          row.cells.emplace_back(std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
        }
      }
    }
    return row;
  }

  Handle db_;
  std::map<std::string, Prepared> statements_;  // declared after db_: finalized before it closes
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path) { return std::make_unique<SqliteDatabase>(path); }

}  // namespace scxlab::store
