// The PostgreSQL backend of the results store, against a real server: scripts/test starts a
// throw-away one on loopback (scripts/pg-test-server) and names it in SCXLAB_TEST_PG_URL.
#include <filesystem>
#include <iostream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "catch.hpp"
#include "pg_scratch.hpp"
#include "process.hpp"
#include "samples.hpp"
#include "store/store.hpp"

using namespace scxlab;
using namespace scxlab::store;
using namespace scxlab::test;
namespace fs = std::filesystem;

namespace {

struct TempFile {
  fs::path path = fs::temp_directory_path() / fmt::format("scxlab-store-pg-{}.db", getpid());
  TempFile() { fs::remove(path); }
  ~TempFile() { fs::remove(path); }
};

// A run holding every trial kind and status, values that need all 17 digits, and text that
// SQL and JSON must both carry unharmed.
StoredRun awkward_run() {
  StoredRun stored;
  stored.run.uuid = "0b5e6f10-8c1d-4e2a-9f3b-7a6c5d4e3f21";
  stored.run.kind = "gate";
  stored.run.created_utc = "2026-12-04T04:00:00Z";
  stored.run.scxlab_version = "0.1.0";
  stored.run.host = {{"kernel", "6.18"}, {"hardware_class", "hw-0123456789ab"}};
  stored.run.plan = {{"reps", 6}};
  stored.run.seed = 18446744073709551557ull;  // above INT64_MAX: stored as its two's complement
  stored.run.status = "complete";
  stored.run.outcome = {{"verdict", "pass"}};
  const TrialKind kinds[] = {TrialKind::warmup, TrialKind::measure, TrialKind::tune, TrialKind::validate};
  const TrialStatus statuses[] = {TrialStatus::ok, TrialStatus::ejected, TrialStatus::failed, TrialStatus::timed_out,
                                  TrialStatus::interrupted};
  for (int seq = 0; seq < 5; ++seq) {
    auto t = sample_trial(0, seq);
    t.kind = kinds[seq % 4];
    t.status = statuses[seq];
    t.reason = "it's \"quoted\"; -- and ? marks";
    t.stderr_tail = "line one\nline two: ünïcödé\t$1";
    t.metrics.push_back({"ratio", 0.1 + 0.2, "", Direction::higher_is_better, "workload"});
    stored.trials.push_back(t);
  }
  return stored;
}

}  // namespace

TEST_CASE("a store location is a PostgreSQL URL or a file", "[store]") {
  CHECK(is_server_store("postgresql://ci@db.example/scxlab"));
  CHECK(is_server_store("postgres://ci@db.example/scxlab"));
  CHECK_FALSE(is_server_store("scxlab-results/store.db"));
  CHECK_FALSE(is_server_store("postgresql.db"));
}

TEST_CASE("an unreachable PostgreSQL server is one line naming the URL, without its password, and the fix",
          "[store]") {
  try {
    ResultsDb db("postgresql://ci:s3cret@127.0.0.1:1/scxlab");
    FAIL("a server on port 1 answered");
  } catch (const StoreError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("cannot reach the results store postgresql://ci:***@127.0.0.1:1/scxlab"));
    CHECK_THAT(message, Catch::Contains("start PostgreSQL there"));
    CHECK(message.find("s3cret") == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("a run written to PostgreSQL reads back exactly as from SQLite", "[store][fleet]") {
  if (!have_server()) return;
  ScratchDatabase scratch;
  TempFile file;
  ResultsDb server(scratch.url()), sqlite(file.path.string());
  CHECK(server.schema_version() == kSchemaVersion);
  CHECK(server.path() == scratch.url());
  const auto stored = awkward_run();
  const auto on_server = server.import_run(stored), on_file = sqlite.import_run(stored);
  CHECK(server.import_run(stored) == on_server);  // the same uuid is not copied twice
  for (auto* db : {&server, &sqlite}) db->save_baseline({"main", db == &server ? on_server : on_file, "eevdf", "t1"});
  server.save_baseline({"main", on_server, "scx_lavd:gaming", "t2"});  // replaced by name
  sqlite.save_baseline({"main", on_file, "scx_lavd:gaming", "t2"});

  const auto server_json = run_to_json(server, on_server), file_json = run_to_json(sqlite, on_file);
  CHECK(server_json == file_json);
  CHECK(server_json["run"]["seed"] == stored.run.seed);
  CHECK(server_json["trials"][0]["metrics"]["ratio"]["value"].get<double>() == 0.1 + 0.2);
  CHECK(server_json["trials"][3]["stderr_tail"] == stored.trials[3].stderr_tail);
  CHECK(server.completed_seqs(on_server) == std::set<int>{0, 1, 2, 3});
  CHECK(server.completed_seqs(on_server) == sqlite.completed_seqs(on_file));
  REQUIRE(server.baselines().size() == 1);
  CHECK(server.baselines()[0].label == "scx_lavd:gaming");
  CHECK(server.runs().size() == 1);
  CHECK(server.run_by_uuid(stored.run.uuid)->id == on_server);
  CHECK_THROWS_AS(server.add_trial(sample_trial(on_server + 99, 0)), StoreError);  // no such run
}

TEST_CASE("processes creating and writing one PostgreSQL store at once lose no trial and count none twice",
          "[store][fleet]") {
  if (!have_server()) return;
  ScratchDatabase scratch;
  constexpr int kWriters = 4, kTrials = 25;
  const auto codes = run_in_children(kWriters, [&](int) {
    ResultsDb db(scratch.url());  // each creates the schema if it is first, then its run and its trials
    const auto run_id = sample_run(db);
    for (int i = 0; i < kTrials; ++i) db.add_trial(sample_trial(run_id, i));
  });
  CHECK(codes == std::vector<int>(kWriters, 0));
  ResultsDb db(scratch.url());
  const auto runs = db.runs();
  REQUIRE(runs.size() == kWriters);
  std::set<std::int64_t> trial_ids;
  for (const auto& run : runs) {
    const auto trials = db.trials(run.id);
    REQUIRE(trials.size() == kTrials);
    for (int i = 0; i < kTrials; ++i) {
      CHECK(trials[i].seq == i);
      CHECK(trials[i].metrics.size() == 2);
      CHECK(trials[i].histograms.size() == 1);
      trial_ids.insert(trials[i].id);
    }
  }
  CHECK(trial_ids.size() == kWriters * kTrials);
}

TEST_CASE("a PostgreSQL store of a newer schema is refused in one line naming both versions", "[store][fleet]") {
  if (!have_server()) return;
  ScratchDatabase scratch;
  { ResultsDb db(scratch.url()); }
  run_sql(scratch.url(), "UPDATE scxlab_schema SET version = 99");
  CHECK_THROWS_WITH(ResultsDb(scratch.url()),
                    Catch::Contains("has schema version 99") && Catch::Contains(scratch.url()) &&
                        Catch::Contains("use a newer scxlab"));
}

TEST_CASE("refused credentials, a missing database and a user without rights are one line each, naming the fix",
          "[store][fleet]") {
  if (!have_server()) return;
  const auto wrong_password = with_user(server_url(), "scxlab_password:wrong");
  try {
    ResultsDb db(wrong_password);
    FAIL("the server let a wrong password in");
  } catch (const StoreError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("refused scxlab") && Catch::Contains("password authentication failed") &&
                            Catch::Contains("pg_hba.conf") && Catch::Contains("scxlab_password:***@"));
    CHECK(message.find("wrong") == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK_THROWS_WITH(ResultsDb(with_database(server_url(), "scxlab_no_such_database")),
                    Catch::Contains("refused scxlab") && Catch::Contains("does not exist"));
  // Let in (the password from the environment, as libpq reads it), but not allowed to create tables.
  setenv("PGPASSWORD", "right", 1);
  CHECK_THROWS_WITH(ResultsDb(with_user(server_url(), "scxlab_password")),
                    Catch::Contains("does not let its user create or write") && Catch::Contains("OWNER TO"));
  unsetenv("PGPASSWORD");
}
