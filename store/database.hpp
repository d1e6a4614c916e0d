// What the results store needs of a SQL database, whichever serves it: a SQLite file (one
// machine, the default) or a PostgreSQL server (many hosts writing at once). Statements are
// written once, with `?` placeholders, in the SQL both understand; each backend binds them its
// way and answers in typed rows. Internal to the store library.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace scxlab::store {

using SqlValue = std::variant<std::int64_t, double, std::string>;
// A value as text; a double in the shortest form that reads back exactly.
std::string to_text(const SqlValue& value);

// One row of a result. SQLite gives typed cells, PostgreSQL text: the accessors convert.
struct SqlRow {
  std::vector<SqlValue> cells;
  std::int64_t integer(std::size_t column) const;
  double real(std::size_t column) const;
  std::string text(std::size_t column) const;
};

// A backend's failure, sorted into what its user can do about it.
struct DatabaseError : std::runtime_error {
  enum class Kind { not_a_database, busy, full, unreachable, refused, forbidden, other };
  DatabaseError(const std::string& message, Kind kind) : std::runtime_error(message), kind(kind) {}
  Kind kind;
};

enum class Dialect { sqlite, postgresql };

class Database {
 public:
  enum class Mode { write, read };
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Statements separated by ';', without parameters (the schema's migrations).
  virtual void execute_script(const std::string& sql) = 0;
  virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  // A write transaction serialises against other writers of the schema (migrations); a read
  // transaction sees one snapshot. Outside a transaction each statement commits on its own.
  virtual void begin(Mode mode) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Inside a write transaction: taken before the version is read, so that two processes
  // opening a new store at once do not both create the tables.
  virtual void lock_schema() = 0;
  virtual int schema_version() = 0;
  virtual void set_schema_version(int version) = 0;
};

// begin() now, rollback() when destroyed before commit().
class DbTransaction {
 public:
  DbTransaction(Database& db, Database::Mode mode = Database::Mode::write) : db_(db) { db_.begin(mode); }
  ~DbTransaction() {
    if (!done_) db_.rollback();
  }
  DbTransaction(const DbTransaction&) = delete;
  DbTransaction& operator=(const DbTransaction&) = delete;
  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

std::unique_ptr<Database> open_sqlite(const std::string& path);      // opens or creates the file
std::unique_ptr<Database> open_postgresql(const std::string& url);   // connects; the database must exist

}  // namespace scxlab::store
