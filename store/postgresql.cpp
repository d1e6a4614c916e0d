// The PostgreSQL backend: one server that many hosts write to at once (libpqxx 6.4 on
// Debian 12 and 7.8 on Ubuntu 24.04: only the API both have is used).
#include <array>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "store/database.hpp"

namespace scxlab::store {
namespace {

// The statements are written with SQLite's `?`; PostgreSQL numbers its parameters. No
// statement of the store has a `?` inside a quoted literal, but quotes are skipped anyway.
std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (const char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

// exec_params takes its parameters as a pack; the store's statements have at most kMaxParams.
constexpr std::size_t kMaxParams = 18;
using Exec = pqxx::result (*)(pqxx::transaction_base&, const std::string&, const std::vector<std::string>&);

template <std::size_t... I>
pqxx::result exec_unpacked(pqxx::transaction_base& tx, const std::string& sql, const std::vector<std::string>& p,
                           std::index_sequence<I...>) {
  return tx.exec_params(sql, p[I]...);
}

template <std::size_t N>
pqxx::result exec_with(pqxx::transaction_base& tx, const std::string& sql, const std::vector<std::string>& p) {
  return exec_unpacked(tx, sql, p, std::make_index_sequence<N>());
}

template <std::size_t... N>
constexpr std::array<Exec, sizeof...(N)> exec_table(std::index_sequence<N...>) {
  return {&exec_with<N>...};
}

constexpr auto kExec = exec_table(std::make_index_sequence<kMaxParams + 1>());

// libpq's words for a server that answered but would not let us in.
bool refused(const std::string& message) {
  for (const char* word : {"authentication failed", "pg_hba.conf", "does not exist", "no password supplied"}) {
    if (message.find(word) != std::string::npos) return true;
  }
  return false;
}

// SQLSTATE class 08 (connection exception) and 57P (the server shutting down or restarting).
bool server_gone(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (!sql) return dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
  const std::string state = sql->sqlstate();
  return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0;
}

[[noreturn]] void rethrow(const std::exception& e) {
  if (server_gone(e)) throw DatabaseError(e.what(), DatabaseError::Kind::unreachable);
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    const std::string message = e.what();
    throw DatabaseError(message, refused(message) ? DatabaseError::Kind::refused : DatabaseError::Kind::unreachable);
  }
  // SQLSTATE 42501: the user may connect but not create or write the tables.
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) {
    throw DatabaseError(e.what(), DatabaseError::Kind::forbidden);
  }
  throw DatabaseError(e.what(), DatabaseError::Kind::other);
}

// Runs `f`, turning libpqxx's exceptions into DatabaseErrors.
template <typename F>
auto guarded(F&& f) {
  try {
    return f();
  } catch (const DatabaseError&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(e);
  }
}

// The advisory lock (a fixed key) that serialises migrations of one database.
constexpr const char* kLockSchema = "SELECT pg_advisory_xact_lock(1550953308)";

class PostgresqlDatabase final : public Database {
 public:
  explicit PostgresqlDatabase(const std::string& url) : conn_(connect(url)) {
    guarded([&] {
      pqxx::work w(*conn_);
      // Quiet: IF NOT EXISTS would otherwise send a NOTICE on every open.
      w.exec("SET client_min_messages = warning");
      // Under the schema lock: two CREATE TABLE IF NOT EXISTS at once can both try to create.
      w.exec(kLockSchema);
      w.exec("CREATE TABLE IF NOT EXISTS scxlab_schema (version INTEGER NOT NULL)");
      w.commit();
      return 0;
    });
  }

  Dialect dialect() const override { return Dialect::postgresql; }

  void execute_script(const std::string& sql) override {
    guarded([&] { return within([&](pqxx::transaction_base& tx) { return tx.exec(sql); }); });
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    if (params.size() > kMaxParams) {
      throw DatabaseError(fmt::format("a statement with {} parameters (at most {})", params.size(), kMaxParams),
                          DatabaseError::Kind::other);
    }
    std::vector<std::string> texts;
    for (const auto& p : params) texts.push_back(to_text(p));
    const auto result = guarded([&] {
      return within([&](pqxx::transaction_base& tx) { return kExec[texts.size()](tx, numbered_placeholders(sql), texts); });
    });
    std::vector<SqlRow> rows;
    for (const auto& r : result) {
      SqlRow row;
      for (const auto& field : r) row.cells.emplace_back(std::string(field.is_null() ? "" : field.c_str()));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void begin(Mode mode) override {
    guarded([&] {
      tx_.emplace(*conn_);
      if (mode == Mode::read) tx_->exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return 0;
    });
  }

  void commit() override {
    guarded([&] {
      tx_->commit();
      tx_.reset();
      return 0;
    });
  }

  void rollback() noexcept override {
    try {
      if (tx_) tx_->abort();
    } catch (...) {
      // A lost connection has rolled the transaction back on the server already.
    }
    tx_.reset();
  }

  void lock_schema() override {
    guarded([&] { return tx_->exec(kLockSchema); });
  }

  int schema_version() override {
    const auto rows = query("SELECT version FROM scxlab_schema", {});
    return rows.empty() ? 0 : static_cast<int>(rows.front().integer(0));
  }

  void set_schema_version(int version) override {
    execute_script(fmt::format("DELETE FROM scxlab_schema; INSERT INTO scxlab_schema (version) VALUES ({})", version));
  }

 private:
  static std::unique_ptr<pqxx::connection> connect(const std::string& url) {
    try {
      return std::make_unique<pqxx::connection>(url);
    } catch (const std::exception& e) {
      rethrow(e);
    }
  }

  // In the open transaction, or in one of its own that commits at once.
  template <typename F>
  pqxx::result within(F&& f) {
    if (tx_) return f(*tx_);
    pqxx::nontransaction n(*conn_);
    return f(n);
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::optional<pqxx::work> tx_;  // declared after conn_: ended before the connection closes
};

}  // namespace

std::unique_ptr<Database> open_postgresql(const std::string& url) { return std::make_unique<PostgresqlDatabase>(url); }

}  // namespace scxlab::store
