// A tune on a fleet, end to end: a real PostgreSQL server on loopback (scripts/test starts one),
// `scxlab worker` processes side by side (each its own --state-dir, a command objective under
// the kernel default) and `scxlab tune --fleet ... --parallel N` as the coordinator.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <signal.h>

#include "catch.hpp"
#include "pg_scratch.hpp"
#include "process.hpp"
#include "store/store.hpp"

using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
using scxlab::test::Spawned;
namespace fs = std::filesystem;

namespace {

fs::path write_space(const fs::path& dir) {
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  return dir / "space.toml";
}

Spawned start_worker(const std::string& url, const fs::path& dir, const std::string& name,
                     const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{scxlab_binary(), "worker", "--store", url, "--state-dir", (dir / name).string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return Spawned(argv, dir / (name + ".log"));
}

nlohmann::json fleet_status(const std::string& url) {
  const auto r = run_process({scxlab_binary(), "fleet", "status", "--store", url, "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// Waits until `count` workers have announced themselves: a condition, polled, however long it takes.
void wait_for_workers(const std::string& url, std::size_t count) {
  while (fleet_status(url)["workers"].size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::vector<std::vector<std::string>> rows(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction n(c);
  std::vector<std::vector<std::string>> out;
  for (const auto& r : n.exec(sql)) {
    auto& row = out.emplace_back();
    for (const auto& f : r) row.push_back(f.is_null() ? "" : f.c_str());
  }
  return out;
}

// Each planned trial of the shared run has exactly one row: none lost, none counted twice.
void check_each_trial_once(const std::string& url, std::size_t expected) {
  const auto counts = rows(url, "SELECT seq, count(*) FROM trials GROUP BY seq ORDER BY seq");
  CHECK(counts.size() == expected);
  for (const auto& r : counts) {
    INFO("seq " << r[0]);
    CHECK(r[1] == "1");
  }
}

}  // namespace

TEST_CASE("a fleet tune runs its evaluations on two workers, each trial stored once with its host",
          "[integration][tune][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-tune");
  auto a = start_worker(scratch.url(), dir, "a");
  auto b = start_worker(scratch.url(), dir, "b");
  wait_for_workers(scratch.url(), 2);
  // The objective takes a moment, so that both workers hold an item at once.
  const auto r = run_process({scxlab_binary(), "tune", "--space", write_space(dir).string(), "--command",
                              "sleep 0.3; echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))", "-n", "8", "--seed", "5",
                              "-o", (dir / "out").string(), "--store", scratch.url(), "--fleet", "auto",
                              "--parallel", "2", "--no-bpf"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(dir / "out" / "report.html"));
  CHECK(fs::exists(dir / "out" / "recommendation.toml"));
  a.kill(SIGTERM);
  b.kill(SIGTERM);
  CHECK(a.wait() == 130);
  CHECK(b.wait() == 130);
  const auto validation_trials = rows(scratch.url(), "SELECT count(*) FROM trials WHERE kind = 'validate'").at(0).at(0);
  check_each_trial_once(scratch.url(), 8 + std::stoul(validation_trials));
  CHECK(rows(scratch.url(), "SELECT count(DISTINCT worker) FROM work_items WHERE state = 'done'").at(0).at(0) == "2");
  CHECK(rows(scratch.url(), "SELECT count(*) FROM trials WHERE host = '' OR hw_class = ''").at(0).at(0) == "0");
  // Both sides of every validation round ran on one worker (one item).
  CHECK(rows(scratch.url(), "SELECT count(*) FROM work_items WHERE payload_json LIKE '%validation round%' AND "
                            "payload_json NOT LIKE '%\"default\"%'").at(0).at(0) == "0");
  const auto runs = rows(scratch.url(), "SELECT status, outcome_json FROM runs");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0][0] == "complete");
  CHECK(runs[0][1] != "null");
  fs::remove_all(dir);
}

TEST_CASE("a worker killed mid-trial loses its item to another worker once the lease expires, and is counted once",
          "[integration][tune][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-kill");
  const auto started = dir / "started", go = dir / "go";
  auto doomed = start_worker(scratch.url(), dir, "doomed", {"--lease-s", "3"});
  wait_for_workers(scratch.url(), 1);
  // Each evaluation marks that it started, then blocks until the test lets it finish.
  Spawned tune({scxlab_binary(), "tune", "--space", write_space(dir).string(), "--command",
                "touch " + started.string() + "; while [ ! -e " + go.string() +
                    " ]; do sleep 0.05; done; echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))",
                "-n", "3", "--seed", "5", "-o", (dir / "out").string(), "--store", scratch.url(), "--fleet", "auto",
                "--no-bpf", "-q"},
               dir / "tune.log");
  while (!fs::exists(started)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  doomed.kill(SIGKILL);
  CHECK(doomed.wait() == 128 + SIGKILL);
  std::ofstream(go).close();
  auto heir = start_worker(scratch.url(), dir, "heir");
  CHECK(tune.wait() == 0);
  heir.kill(SIGTERM);
  CHECK(heir.wait() == 130);
  const auto validation_trials = rows(scratch.url(), "SELECT count(*) FROM trials WHERE kind = 'validate'").at(0).at(0);
  check_each_trial_once(scratch.url(), 3 + std::stoul(validation_trials));
  const auto first = rows(scratch.url(), "SELECT attempt, worker FROM work_items ORDER BY id LIMIT 1").at(0);
  CHECK(first[0] == "2");  // leased by the killed worker, then by its heir
  CHECK(first[1].find(std::to_string(heir.pid())) != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a fleet tune without a worker of its class says so and gives up after --wait-s with exit 2",
          "[integration][tune][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-alone");
  const auto r = run_process({scxlab_binary(), "tune", "--space", write_space(dir).string(), "--command", "echo 1",
                              "-n", "3", "-o", (dir / "out").string(), "--store", scratch.url(), "--fleet",
                              "hw-nobody", "--wait-s", "1", "--no-bpf"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no worker of class hw-nobody has been seen for"));
  CHECK_THAT(r.err, Catch::Contains("scxlab worker --store"));
  fs::remove_all(dir);
}

TEST_CASE("fleet options that cannot work are refused in one line naming the fix", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("fleet-usage");
  const auto space = write_space(dir).string();
  const auto parallel_alone = run_process({scxlab_binary(), "tune", "--space", space, "--command", "echo 1",
                                           "--parallel", "2", "-o", (dir / "a").string()});
  CHECK(parallel_alone.exit_code == 2);
  CHECK_THAT(parallel_alone.err, Catch::Contains("give --fleet CLASS and --store postgresql://"));
  const auto file_store = run_process({scxlab_binary(), "tune", "--space", space, "--command", "echo 1", "--fleet",
                                       "auto", "--store", (dir / "r.db").string(), "-o", (dir / "b").string()});
  CHECK(file_store.exit_code == 2);
  CHECK_THAT(file_store.err, Catch::Contains("give --store postgresql://"));
  const auto unreachable = run_process({scxlab_binary(), "worker", "--store", "postgresql://scxlab@127.0.0.1:1/none"});
  CHECK(unreachable.exit_code == 2);
  CHECK_THAT(unreachable.err, Catch::Contains("cannot reach the results store postgresql://scxlab@127.0.0.1:1/none"));
  CHECK(std::count(unreachable.err.begin(), unreachable.err.end(), '\n') == 1);
  const auto status_of_file = run_process({scxlab_binary(), "fleet", "status", "--store", (dir / "r.db").string()});
  CHECK(status_of_file.exit_code == 2);
  CHECK_THAT(status_of_file.err, Catch::Contains("needs a PostgreSQL store"));
  fs::remove_all(dir);
}
