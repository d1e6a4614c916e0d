// A database of a test's own on the fleet tier's PostgreSQL server: scripts/test starts a
// throw-away server on loopback (scripts/pg-test-server) and names it in SCXLAB_TEST_PG_URL.
#pragma once

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <pqxx/pqxx>
#include <unistd.h>

namespace scxlab::test {

inline const char* server_url() { return std::getenv("SCXLAB_TEST_PG_URL"); }

// False, with the line ctest reads as a skip, when no server was given.
inline bool have_server() {
  if (server_url()) return true;
  std::cout << "SCXLAB-SKIPPED: SCXLAB_TEST_PG_URL is not set: scripts/test fleet starts a PostgreSQL server "
               "for these tests"
            << std::endl;
  return false;
}

// The server's URL with another database, or another user in place of the test's own.
inline std::string with_database(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}
inline std::string with_user(const std::string& url, const std::string& user) {
  const auto start = url.find("://") + 3;
  return url.substr(0, start) + user + url.substr(url.find('@', start));
}

inline void run_sql(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction n(c);
  n.exec(sql);
}

// Created on the server at construction, dropped at the end.
class ScratchDatabase {
 public:
  ScratchDatabase() : name_(fmt::format("scxlab_t{}_{}", getpid(), next_++)) {
    run_sql(server_url(), "CREATE DATABASE " + name_);
  }
  ~ScratchDatabase() { run_sql(server_url(), fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_)); }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  std::string url() const { return with_database(server_url(), name_); }

 private:
  static inline std::atomic<int> next_{0};
  std::string name_;
};

}  // namespace scxlab::test
