#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <vector>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "samples.hpp"
#include "store/store.hpp"

using namespace scxlab;
using namespace scxlab::store;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("scxlab-store-" + name + "-" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string db() const { return (path / "results.db").string(); }
};

void set_user_version(const std::string& path, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(version)).c_str(), nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("a run and its trials round-trip through SQLite", "[store]") {
  TempDir dir("roundtrip");
  std::int64_t run_id = 0;
  {
    ResultsDb db(dir.db());
    CHECK(db.schema_version() == kSchemaVersion);
    run_id = sample_run(db);
    for (int seq = 0; seq < 3; ++seq) db.add_trial(sample_trial(run_id, seq));
    db.set_run_status(run_id, "complete");
  }
  ResultsDb db(dir.db());
  const auto run = db.run(run_id);
  REQUIRE(run);
  CHECK(run->status == "complete");
  CHECK(run->seed == 42);
  CHECK(run->uuid.size() == 36);
  CHECK(run->plan["reps"] == 5);
  const auto trials = db.trials(run_id);
  REQUIRE(trials.size() == 3);
  const auto want = sample_trial(run_id, 2);
  const auto& got = trials[2];
  CHECK(got.seq == 2);
  CHECK(got.scheduler == want.scheduler);
  CHECK(got.scheduler_config == want.scheduler_config);
  CHECK(got.workload_params == want.workload_params);
  REQUIRE(got.metrics.size() == 2);
  CHECK(got.metrics[0].name == "time_s");
  CHECK(got.metrics[0].value == want.metrics[0].value);
  CHECK(got.metrics[0].direction == Direction::lower_is_better);
  CHECK(got.metrics[1].direction == Direction::informational);
  REQUIRE(got.unavailable.size() == 1);
  CHECK(got.unavailable[0].reason == want.unavailable[0].reason);
  REQUIRE(got.histograms.size() == 1);
  CHECK(got.histograms[0].hist.count() == want.histograms[0].hist.count());
  CHECK(got.histograms[0].hist.percentile(99) == want.histograms[0].hist.percentile(99));
}

TEST_CASE("a run's outcome is null until set, then reads back and is exported", "[store]") {
  TempDir dir("outcome");
  std::int64_t run_id = 0;
  const nlohmann::json outcome = {{"tune", {{"verdict", "keep the default"}, {"knobs", {{"x", 3}}}}}};
  {
    ResultsDb db(dir.db());
    run_id = sample_run(db);
    CHECK(db.run(run_id)->outcome.is_null());
    db.set_run_outcome(run_id, outcome);
  }
  ResultsDb db(dir.db());
  CHECK(db.run(run_id)->outcome == outcome);
  CHECK(db.runs().at(0).outcome == outcome);
  CHECK(run_to_json(db, run_id)["run"]["outcome"] == outcome);
}

TEST_CASE("a schema 1 file keeps its runs and gains a null outcome", "[store]") {
  TempDir dir("from-v1");
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.db().c_str(), &raw) == SQLITE_OK);
  // The runs and trials tables as schema 1 had them, with one run.
  REQUIRE(sqlite3_exec(raw,
                       "CREATE TABLE runs (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, "
                       "created_utc TEXT NOT NULL, scxlab_version TEXT NOT NULL, host_json TEXT NOT NULL, "
                       "plan_json TEXT NOT NULL, seed INTEGER NOT NULL, status TEXT NOT NULL);"
                       "CREATE TABLE trials (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), "
                       "seq INTEGER NOT NULL, round INTEGER NOT NULL, kind TEXT NOT NULL, scheduler TEXT NOT NULL, "
                       "scheduler_config_json TEXT NOT NULL, workload TEXT NOT NULL, workload_params_json TEXT NOT "
                       "NULL, status TEXT NOT NULL, reason TEXT NOT NULL, stderr_tail TEXT NOT NULL, started_utc TEXT "
                       "NOT NULL, ended_utc TEXT NOT NULL, wall_s REAL NOT NULL, overhead_s REAL NOT NULL);"
                       "INSERT INTO runs VALUES (1, 'u-1', 'tune', '2026-01-01T00:00:00Z', '0.1.0', '{}', '{}', 7, "
                       "'complete');"
                       "PRAGMA user_version = 1;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  ResultsDb db(dir.db());
  CHECK(db.schema_version() == kSchemaVersion);
  const auto run = db.run(1);
  REQUIRE(run);
  CHECK(run->uuid == "u-1");
  CHECK(run->outcome.is_null());
}

TEST_CASE("an empty (version 0) file is migrated to the current schema", "[store]") {
  TempDir dir("migrate");
  std::ofstream(dir.db()).close();
  {
    ResultsDb db(dir.db());
    CHECK(db.schema_version() == kSchemaVersion);
    CHECK(db.runs().empty());
    const auto run_id = sample_run(db);
    db.add_trial(sample_trial(run_id, 0));
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.db().c_str(), &raw) == SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_exec(
      raw, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      [](void* out, int, char** values, char**) {
        static_cast<std::vector<std::string>*>(out)->push_back(values[0]);
        return 0;
      },
      &tables, nullptr);
  int version = -1;
  sqlite3_exec(
      raw, "PRAGMA user_version",
      [](void* out, int, char** values, char**) {
        *static_cast<int*>(out) = std::stoi(values[0]);
        return 0;
      },
      &version, nullptr);
  sqlite3_close(raw);
  CHECK(tables == std::vector<std::string>{"baselines", "histograms", "metrics", "runs", "trials", "unavailable",
                                           "work_items", "workers"});
  CHECK(version == kSchemaVersion);  // recorded in the file itself, where any SQLite client sees it
}

TEST_CASE("a DB from a newer scxlab is refused with one line naming both versions and the fix", "[store]") {
  TempDir dir("newer");
  { ResultsDb db(dir.db()); }
  set_user_version(dir.db(), kSchemaVersion + 7);
  try {
    ResultsDb db(dir.db());
    FAIL("opened a newer schema");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    CHECK(msg.find(dir.db()) != std::string::npos);
    CHECK(msg.find(std::to_string(kSchemaVersion + 7)) != std::string::npos);
    CHECK(msg.find("--out") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

// The StoreError message of opening `path`, or "" when it opened.
std::string open_error(const std::string& path) {
  try {
    ResultsDb db(path);
    return "";
  } catch (const StoreError& e) {
    return e.what();
  }
}

TEST_CASE("a missing directory gives a StoreError naming the path and the fix", "[store]") {
  const auto msg = open_error("/proc/scxlab-no-such-dir/results.db");
  CHECK(msg.find("/proc/scxlab-no-such-dir/results.db") != std::string::npos);
  CHECK(msg.find("does not exist") != std::string::npos);
  CHECK(msg.find("--out") != std::string::npos);
  TempDir dir("notdir");
  std::ofstream(dir.path / "file") << "x";
  CHECK(open_error((dir.path / "file" / "results.db").string()).find("file is not a directory") != std::string::npos);
}

TEST_CASE("an unwritable directory gives a StoreError naming the path and the fix", "[store]") {
  // Root writes anywhere, so the attempt runs in a child that drops to nobody.
  TempDir dir("unwritable");
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  int out[2];
  REQUIRE(pipe(out) == 0);
  const pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    const auto msg = open_error(dir.db());
    _exit(write(out[1], msg.data(), msg.size()) == static_cast<ssize_t>(msg.size()) ? 0 : 1);
  }
  close(out[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  INFO(msg);
  CHECK(msg.find(dir.db()) != std::string::npos);
  CHECK(msg.find("writable directory with --out") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
  CHECK_FALSE(fs::exists(dir.db()));
}

TEST_CASE("a file that is not a database is refused, not overwritten", "[store]") {
  TempDir dir("notadb");
  std::ofstream(dir.db()) << "this is a text file, not SQLite, and long enough to have a header page\n";
  const auto msg = open_error(dir.db());
  CHECK(msg.find(dir.db()) != std::string::npos);
  CHECK(msg.find("not a usable scxlab results DB") != std::string::npos);
  std::string first;
  std::getline(std::ifstream(dir.db()), first);
  CHECK(first.rfind("this is a text file", 0) == 0);
}

TEST_CASE("several processes creating the same new DB at once all succeed", "[store]") {
  TempDir dir("race");
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    const pid_t child = fork();
    if (child == 0) {
      close(gate[1]);
      char c;
      if (read(gate[0], &c, 1) != 0) _exit(3);  // released together when the parent closes the pipe
      _exit(open_error(dir.db()).empty() ? 0 : 1);
    }
    children.push_back(child);
  }
  close(gate[0]);
  close(gate[1]);
  for (const pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(ResultsDb(dir.db()).schema_version() == kSchemaVersion);
}

TEST_CASE("a trial's status and kind are read once, unknown words refused, and add_trial refuses unknown runs",
          "[store]") {
  for (const auto s : {TrialStatus::ok, TrialStatus::ejected, TrialStatus::failed, TrialStatus::timed_out,
                       TrialStatus::interrupted}) {
    CHECK(trial_status_from(to_string(s)) == s);
  }
  for (const auto k : {TrialKind::warmup, TrialKind::measure, TrialKind::tune, TrialKind::validate}) {
    CHECK(trial_kind_from(to_string(k)) == k);
  }
  CHECK_THROWS_WITH(trial_status_from("okay"), Catch::Contains("status is 'okay'") && Catch::Contains("timed_out"));
  CHECK_THROWS_WITH(trial_kind_from("warm-up"), Catch::Contains("kind is 'warm-up'"));
  TempDir dir("invalid");
  ResultsDb db(dir.db());
  const auto run_id = sample_run(db);
  CHECK_THROWS_WITH(db.add_trial(sample_trial(run_id + 5, 0)), Catch::Contains(dir.db()));
  CHECK(db.trials(run_id).empty());
  CHECK(db.trials(run_id + 5).empty());
}

TEST_CASE("completed_seqs lists what --resume skips: every ended trial, not interrupted ones", "[store]") {
  TempDir dir("resume");
  ResultsDb db(dir.db());
  const auto run_id = sample_run(db);
  const auto other_run = sample_run(db);
  const std::pair<int, TrialStatus> trials[] = {
      {0, TrialStatus::ok}, {1, TrialStatus::ejected}, {2, TrialStatus::failed}, {3, TrialStatus::interrupted}};
  for (const auto& [seq, status] : trials) {
    auto t = sample_trial(run_id, seq);
    t.status = status;
    db.add_trial(t);
  }
  db.add_trial(sample_trial(other_run, 7));
  CHECK(db.completed_seqs(run_id) == std::set<int>{0, 1, 2});
  auto rerun = sample_trial(run_id, 3);
  db.add_trial(rerun);
  CHECK(db.completed_seqs(run_id) == std::set<int>{0, 1, 2, 3});
  const auto all = db.trials(run_id);
  REQUIRE(all.size() == 5);
  CHECK(all[3].status == TrialStatus::interrupted);  // the record of the interruption is kept
  CHECK(all[4].status == TrialStatus::ok);
}

TEST_CASE("every trial whose add_trial returned survives a SIGKILL, and no partial trial exists", "[store]") {
  TempDir dir("kill");
  std::int64_t run_id = 0;
  {
    ResultsDb db(dir.db());
    run_id = sample_run(db);
  }
  int report[2];
  REQUIRE(pipe(report) == 0);
  const pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    ResultsDb db(dir.db());
    for (int seq = 0;; ++seq) {
      db.add_trial(sample_trial(run_id, seq));
      const char c = 1;
      if (write(report[1], &c, 1) != 1) _exit(1);  // "trial seq is committed"
    }
  }
  close(report[1]);
  int acknowledged = 0;
  char c;
  while (acknowledged < 25 && read(report[0], &c, 1) == 1) ++acknowledged;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  while (read(report[0], &c, 1) == 1) ++acknowledged;  // acknowledgements already in the pipe
  close(report[0]);

  ResultsDb db(dir.db());
  const auto trials = db.trials(run_id);
  CHECK(static_cast<int>(trials.size()) >= acknowledged);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto want = sample_trial(run_id, static_cast<int>(i));
    CHECK(trials[i].seq == static_cast<int>(i));
    CHECK(trials[i].metrics.size() == want.metrics.size());
    CHECK(trials[i].unavailable.size() == want.unavailable.size());
    REQUIRE(trials[i].histograms.size() == 1);
    CHECK(trials[i].histograms[0].hist.count() == want.histograms[0].hist.count());
  }
}

TEST_CASE("JSON and CSV exports agree with the DB", "[store][export]") {
  TempDir dir("export");
  ResultsDb db(dir.db());
  const auto run_id = sample_run(db);
  for (int seq = 0; seq < 2; ++seq) db.add_trial(sample_trial(run_id, seq));
  const auto json_path = (dir.path / "results.json").string();
  const auto csv_path = (dir.path / "results.csv").string();
  export_json(db, run_id, json_path);
  export_csv(db, run_id, csv_path);

  const auto doc = nlohmann::json::parse(std::ifstream(json_path));
  CHECK(doc["schema_version"] == kSchemaVersion);
  REQUIRE(doc["trials"].size() == 2);
  CHECK(doc["trials"][1]["metrics"]["time_s"]["value"].get<double>() == db.trials(run_id)[1].metrics[0].value);
  CHECK(doc["trials"][1]["unavailable"]["cycles"] == "not supported by this host's PMU");
  CHECK(doc["trials"][0]["histograms"][0]["count"].get<std::uint64_t>() ==
        db.trials(run_id)[0].histograms[0].hist.count());

  std::ifstream csv(csv_path);
  std::string header, line;
  std::getline(csv, header);
  CHECK(header == "seq,round,kind,scheduler,workload,status,metric,value,unit,direction,source");
  int rows = 0;
  bool found = false;
  while (std::getline(csv, line)) {
    ++rows;
    if (line.rfind("1,0,measure,scx_lavd:gaming,messaging,ok,time_s,", 0) == 0) {
      found = true;
      const auto value = std::stod(line.substr(line.find("time_s,") + 7));
      CHECK(value == db.trials(run_id)[1].metrics[0].value);
    }
  }
  CHECK(rows == 4);
  CHECK(found);
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    CHECK(entry.path().filename().string().rfind(".results", 0) != 0);  // no temporary left behind
  }
}

TEST_CASE("a stderr tail that is not UTF-8 does not stop the JSON export", "[store][export]") {
  TempDir dir("utf8");
  ResultsDb db(dir.db());
  const auto run_id = sample_run(db);
  auto t = sample_trial(run_id, 0);
  t.stderr_tail = "binary junk: \xff\xfe end";
  db.add_trial(t);
  CHECK(db.trials(run_id)[0].stderr_tail == t.stderr_tail);  // the DB keeps the bytes
  const auto path = (dir.path / "results.json").string();
  export_json(db, run_id, path);
  const auto doc = nlohmann::json::parse(std::ifstream(path));
  CHECK(doc["trials"][0]["stderr_tail"] == "binary junk: \xEF\xBF\xBD\xEF\xBF\xBD end");  // U+FFFD each
}

TEST_CASE("the sparse bucket encoding round-trips a histogram's buckets", "[store][export]") {
  stats::LogLinearHistogram h;
  for (std::uint64_t v : {1u, 5u, 70u, 70u, 1000u, 123456u}) h.record(v);
  const auto j = buckets_to_json(h);
  CHECK(j.size() == 5);
  const auto back = buckets_from_json(j);
  CHECK(back.nonzero_buckets() == h.nonzero_buckets());
  CHECK(back.count() == h.count());
}

TEST_CASE("a DB of schema version 2 gains the baselines table, the fleet's columns and tables, and keeps its runs",
          "[store]") {
  TempDir dir("v2");
  {
    ResultsDb db(dir.db());
    db.add_trial(sample_trial(sample_run(db), 0));
  }
  // Back to version 2 as an older scxlab left it: without what migrations 3 and 4 add.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.db().c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw,
                       "DROP TABLE baselines; DROP TABLE work_items; DROP TABLE workers; ALTER TABLE trials DROP "
                       "COLUMN host; ALTER TABLE trials DROP COLUMN hw_class; PRAGMA user_version = 2",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  ResultsDb db(dir.db());
  CHECK(db.schema_version() == kSchemaVersion);
  REQUIRE(db.runs().size() == 1);
  REQUIRE(db.trials(db.runs()[0].id).size() == 1);
  CHECK(db.trials(db.runs()[0].id)[0].host.empty());  // an older trial's host is not known
  db.save_baseline({"main", db.runs()[0].id, "eevdf", "2026-11-24T11:00:00Z"});
  CHECK(db.baseline("main").has_value());
}

TEST_CASE("a run round-trips through its JSON export into another store, once", "[store][export]") {
  TempDir dir("import");
  StoredRun original;
  {
    ResultsDb db(dir.db());
    const auto run_id = sample_run(db);
    for (int seq = 0; seq < 3; ++seq) db.add_trial(sample_trial(run_id, seq));
    export_json(db, run_id, (dir.path / "results.json").string());
    original = {*db.run(run_id), db.trials(run_id)};
  }
  const auto read = read_run_json((dir.path / "results.json").string());
  CHECK(read.run.uuid == original.run.uuid);
  CHECK(read.run.plan == original.run.plan);
  CHECK(read.run.seed == original.run.seed);
  REQUIRE(read.trials.size() == 3);

  ResultsDb history((dir.path / "history.db").string());
  const auto id = history.import_run(read);
  CHECK(history.import_run(read) == id);  // the same uuid is not copied twice
  CHECK(history.runs().size() == 1);
  CHECK(history.run_by_uuid(original.run.uuid)->id == id);
  const auto trials = history.trials(id);
  REQUIRE(trials.size() == 3);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto& want = original.trials[i];
    CHECK(trials[i].seq == want.seq);
    CHECK(trials[i].scheduler == want.scheduler);
    CHECK(trials[i].scheduler_config == want.scheduler_config);
    CHECK(trials[i].status == want.status);
    REQUIRE(trials[i].metrics.size() == want.metrics.size());
    for (const auto& m : want.metrics) {
      const auto got = std::find_if(trials[i].metrics.begin(), trials[i].metrics.end(),
                                    [&](const Metric& x) { return x.name == m.name; });
      REQUIRE(got != trials[i].metrics.end());
      CHECK(got->value == m.value);  // bit for bit: the export writes the shortest exact text
      CHECK(got->direction == m.direction);
      CHECK(got->unit == m.unit);
    }
    CHECK(trials[i].unavailable.size() == want.unavailable.size());
    REQUIRE(trials[i].histograms.size() == 1);
    CHECK(trials[i].histograms[0].hist.percentile(99) == want.histograms[0].hist.percentile(99));
  }
}

TEST_CASE("baselines are saved, replaced by name and listed", "[store]") {
  TempDir dir("baselines");
  ResultsDb db(dir.db());
  const auto first = sample_run(db), second = sample_run(db);
  db.save_baseline({"main", first, "eevdf", "2026-11-24T11:00:00Z"});
  db.save_baseline({"release", second, "scx_lavd:gaming", "2026-11-24T11:05:00Z"});
  db.save_baseline({"main", second, "eevdf", "2026-11-25T09:00:00Z"});
  const auto all = db.baselines();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "main");
  CHECK(all[0].run_id == second);
  CHECK(all[0].saved_utc == "2026-11-25T09:00:00Z");
  CHECK(all[1].label == "scx_lavd:gaming");
  CHECK_FALSE(db.baseline("nightly").has_value());
  CHECK_THROWS_AS(db.save_baseline({"ghost", 999, "eevdf", "2026-11-24T11:00:00Z"}), StoreError);
}

TEST_CASE("a file that is not a complete export is refused in one line naming it and the fix", "[store][export]") {
  TempDir dir("badjson");
  ResultsDb db(dir.db());
  const auto run_id = sample_run(db);
  db.add_trial(sample_trial(run_id, 0));
  const auto good = (dir.path / "good.json").string();
  export_json(db, run_id, good);
  std::stringstream whole;
  whole << std::ifstream(good).rdbuf();
  auto newer = nlohmann::json::parse(whole.str());
  newer["schema_version"] = kSchemaVersion + 1;
  auto incomplete = nlohmann::json::parse(whole.str());
  incomplete["trials"][0].erase("metrics");
  struct Case {
    std::string name, contents, says;
  };
  const Case cases[] = {
      {"empty.json", "", "is empty"},
      {"truncated.json", whole.str().substr(0, whole.str().size() / 2), "not valid JSON, perhaps truncated"},
      {"other.json", R"({"name": "not an export"})", "not a scxlab export"},
      {"newer.json", newer.dump(), "newer scxlab"},
      {"incomplete.json", incomplete.dump(), "not a complete scxlab export"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto path = (dir.path / c.name).string();
    std::ofstream(path) << c.contents;
    try {
      read_run_json(path);
      FAIL("read " << c.name);
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains(c.says));
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  CHECK_THROWS_WITH(read_run_json((dir.path / "missing.json").string()), Catch::Contains("cannot read"));
}
