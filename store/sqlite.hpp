// A thin RAII layer over the sqlite3 C API: a connection and prepared statements, with
// errors as exceptions carrying SQLite's message.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace scxlab::store {

struct SqliteError : std::runtime_error {
  SqliteError(const std::string& message, int code) : std::runtime_error(message), code(code) {}
  int code;  // SQLite's primary result code: SQLITE_NOTADB, SQLITE_CANTOPEN, ...
};

class Connection {
 public:
  explicit Connection(const std::string& path);  // opens or creates
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  int user_version();
  std::int64_t last_insert_id() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Connection& c, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, double v);
  Statement& bind(int index, const std::string& v);
  bool step();  // true while a row is available
  void run();   // steps to completion; for statements without results
  void reset();

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN ... COMMIT, rolled back when destroyed before commit(). A write transaction takes
// the write lock at once (BEGIN IMMEDIATE); a read transaction gives a consistent snapshot.
class Transaction {
 public:
  enum class Mode { write, read };
  explicit Transaction(Connection& c, Mode mode = Mode::write);
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace scxlab::store
