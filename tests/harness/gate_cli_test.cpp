// `scxlab gate` and `scxlab baseline` refuse bad input before anything runs: one line naming
// the problem and the fix, exit 2, nothing written. And the exit codes are documented.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "pg_scratch.hpp"
#include "process.hpp"
#include "store/store.hpp"

using scxlab::test::fresh_temp_dir;
using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

struct Refusal {
  int exit_code;
  std::string err;
  bool wrote_out;
};

// Runs `scxlab gate ARGS --out DIR/out --store DIR/store.db` in a fresh directory.
Refusal gate(const std::string& test, std::vector<std::string> args) {
  const auto dir = fresh_temp_dir(test);
  std::vector<std::string> argv{scxlab_binary(), "gate"};
  argv.insert(argv.end(), args.begin(), args.end());
  for (auto& a : argv) {
    for (auto at = a.find("DIR"); at != std::string::npos; at = a.find("DIR")) a.replace(at, 3, dir.string());
  }
  argv.insert(argv.end(), {"--out", (dir / "out").string(), "--store", (dir / "store.db").string(), "-q"});
  const auto r = run_process(argv, std::nullopt, dir.string());
  return {r.exit_code, r.err, fs::exists(dir / "out") || fs::exists(dir / "store.db")};
}

void check_refused(const Refusal& r, const std::string& says) {
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains(says));
  CHECK_FALSE(r.wrote_out);
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("gate --help documents every exit code", "[cli][gate]") {
  const auto r = run_process({scxlab_binary(), "gate", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* code : {"0 pass", "1 regression", "3 inconclusive", "2 bad input", "130 interrupted"}) {
    CHECK_THAT(r.out, Catch::Contains(code));
  }
}

TEST_CASE("gate refuses bad candidates, labels and thresholds in one line, writing nothing", "[cli][gate]") {
  check_refused(gate("gate-missing", {"--candidate", "scx_lavd=DIR/no-such-build", "--baseline", "scx_lavd"}),
                "no such file or directory");
  check_refused(gate("gate-not-exe", {"--candidate", "scx_lavd=DIR", "--baseline", "scx_lavd"}),
                "holds no executable scx_lavd");  // a directory without the build in it
  check_refused(gate("gate-labels", {"--candidate", "eevdf@x", "--baseline", "eevdf@x"}),
                "two configurations are labelled 'x'");
  check_refused(gate("gate-threshold", {"--candidate", "eevdf@a", "--baseline", "eevdf@b", "--threshold", "lots"}),
                "--threshold");
  check_refused(gate("gate-no-candidate", {"--baseline", "eevdf"}), "nothing to gate");
  check_refused(gate("gate-metric", {"--candidate", "eevdf@a", "--baseline", "eevdf@b", "--metrics", "bogus"}),
                "--metrics bogus");
}

TEST_CASE("gate refuses a baseline file that is not a usable scxlab export", "[cli][gate]") {
  const auto dir = fresh_temp_dir("gate-baseline-files");
  write(dir / "empty.json", "");
  write(dir / "truncated.json", R"({"schema_version": 1, "run": {"uuid": "x")");
  write(dir / "other.json", R"({"name": "not scxlab"})");
  write(dir / "newer.json", R"({"schema_version": 999, "run": {}, "trials": []})");
  const std::pair<const char*, const char*> cases[] = {{"empty.json", "is empty"},
                                                       {"truncated.json", "not valid JSON, perhaps truncated"},
                                                       {"other.json", "not a scxlab export"},
                                                       {"newer.json", "newer scxlab"}};
  for (const auto& [file, says] : cases) {
    INFO(file);
    check_refused(gate(std::string("gate-baseline-") + file, {"--candidate", "eevdf@new", "--baseline",
                                                              (dir / file).string()}),
                  says);
  }
}

TEST_CASE("baseline save refuses a missing run and a scheduler's name", "[cli][gate]") {
  const auto dir = fresh_temp_dir("baseline-save");
  const auto store = (dir / "store.db").string();
  auto r = run_process({scxlab_binary(), "baseline", "save", "main", (dir / "nothing").string(), "--store", store});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no such run directory"));
  r = run_process({scxlab_binary(), "baseline", "save", "scx_lavd", (dir / "nothing").string(), "--store", store});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("is a scheduler's name"));
  CHECK_FALSE(fs::exists(store));
}

// A finished gate's export (DIR/results.json) measured on `kernel`: eevdf, messaging, time_s 0.5.
std::string write_gate_export(const fs::path& dir, const std::string& kernel) {
  const auto file = (dir / "results.json").string();
  {
    scxlab::store::ResultsDb db((dir / "results.db").string());
    scxlab::store::RunInfo run;
    run.kind = "gate";
    run.created_utc = "2026-12-01T10:00:00Z";
    run.status = "complete";
    run.host = {{"kernel", kernel}};
    run.plan = {{"entries", nlohmann::json::array({{{"label", "messaging"}, {"workload", "messaging"},
                                                     {"params", {{"groups", "1"}, {"loops", "20"}}}}})}};
    const auto id = db.create_run(run);
    scxlab::store::TrialRecord t;
    t.run_id = id;
    t.kind = scxlab::store::TrialKind::measure;
    t.scheduler = "eevdf";
    t.workload = "messaging";
    t.status = scxlab::store::TrialStatus::ok;
    t.metrics.push_back({"time_s", 0.5, "s", scxlab::Direction::lower_is_better, "workload"});
    db.add_trial(t);
    scxlab::store::export_json(db, id, file);
  }
  return file;
}

TEST_CASE("gate refuses a stored baseline from another kernel unless --allow-other-host", "[cli][gate]") {
  const auto file = write_gate_export(fresh_temp_dir("gate-other-host"), "0.0.1-elsewhere");
  check_refused(gate("gate-other-host-refused", {"--candidate", "eevdf@new", "--baseline", file}),
                "kernel 0.0.1-elsewhere there");
}

TEST_CASE("a store URL holding a password, or naming a server that does not answer, is refused in one line",
          "[cli][gate]") {
  // By shootout and tune before their first trial: nothing is written.
  const auto dir = fresh_temp_dir("store-unreachable");
  for (const auto& command : {std::vector<std::string>{"shootout", "-s", "eevdf", "-w", "messaging"},
                                                 std::vector<std::string>{"tune", "--scheduler", "eevdf"}}) {
    auto argv = command;
    argv.insert(argv.begin(), scxlab_binary());
    argv.insert(argv.end(), {"-q", "-o", (dir / "out").string(), "--store", "postgresql://ci@127.0.0.1:1/scxlab"});
    const auto refused = run_process(argv);
    INFO(command[0] << ": " << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("cannot reach the results store postgresql://ci@127.0.0.1:1/scxlab"));
    CHECK_FALSE(fs::exists(dir / "out"));
  }
  auto r = run_process({scxlab_binary(), "baseline", "list", "--store", "postgresql://ci:s3cret@127.0.0.1:1/scxlab"});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains("~/.pgpass"));
  CHECK(r.err.find("s3cret") == std::string::npos);
  r = run_process({scxlab_binary(), "history", "--metric", "time_s", "--store", "postgresql://ci@127.0.0.1:1/scxlab"});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot reach the results store postgresql://ci@127.0.0.1:1/scxlab"));
}

TEST_CASE("baselines and history live in a PostgreSQL store that many hosts share", "[cli][gate][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto file = write_gate_export(fresh_temp_dir("baseline-postgresql"), "6.18");
  auto r = run_process({scxlab_binary(), "baseline", "save", "main", file, "--store", scratch.url()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("saved baseline 'main'") && Catch::Contains(scratch.url()));
  r = run_process({scxlab_binary(), "baseline", "list", "--json", "--store", scratch.url()});
  REQUIRE(r.exit_code == 0);
  const auto listed = nlohmann::json::parse(r.out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "main");
  r = run_process({scxlab_binary(), "history", "--json", "--metric", "time_s", "--store", scratch.url()});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("0.5"));
}
