// A tune on a fleet, end to end: a real PostgreSQL server on loopback (scripts/test starts one),
// `scxlab worker` processes side by side (each its own --state-dir, a command objective under
// the kernel default) and `scxlab tune --fleet ... --parallel N` as the coordinator.
#include <cstdlib>
#include <filesystem>
#include <iostream>
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

// A fleet tune of 3 evaluations whose objective marks that it started (the file dir/started) and
// then holds until the file dir/go exists; returned once the first evaluation has started.
Spawned start_held_tune(const std::string& url, const fs::path& dir) {
  const auto started = dir / "started", go = dir / "go";
  Spawned tune({scxlab_binary(), "tune", "--space", write_space(dir).string(), "--command",
                "touch " + started.string() + "; while [ ! -e " + go.string() +
                    " ]; do sleep 0.05; done; echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))",
                "-n", "3", "--seed", "5", "-o", (dir / "out").string(), "--store", url, "--fleet", "auto", "--no-bpf",
                "-q"},
               dir / "tune.log");
  while (!fs::exists(started)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return tune;
}

// A command workload whose every trial marks that it started (a file dir/started.<pid>) and then
// holds until the file dir/go exists.
fs::path write_held_workload(const fs::path& dir) {
  const auto file = dir / "held.toml";
  std::ofstream(file) << "name = \"held\"\nsummary = \"waits for the test\"\n"
                      << "command = [\"sh\", \"-c\", \"touch " << (dir / "started").string() << ".$$; while [ ! -e "
                      << (dir / "go").string() << " ]; do sleep 0.05; done; echo value: 1.5\"]\n"
                      << "[[metric]]\nname = \"value\"\nunit = \"s\"\ndirection = \"lower_is_better\"\n"
                      << "regex = 'value: ([0-9.]+)'\nheadline = true\n";
  return file;
}

std::size_t files_starting(const fs::path& dir, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().rfind(prefix, 0) == 0;
  return n;
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
  CHECK(rows(scratch.url(), "SELECT count(*) FROM workers").at(0).at(0) == "0");  // stopped workers sign off
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
  auto doomed = start_worker(scratch.url(), dir, "doomed", {"--lease-s", "3"});
  wait_for_workers(scratch.url(), 1);
  // Each evaluation marks that it started, then blocks until the test lets it finish.
  auto tune = start_held_tune(scratch.url(), dir);
  doomed.kill(SIGKILL);
  CHECK(doomed.wait() == 128 + SIGKILL);
  std::ofstream(dir / "go").close();
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

TEST_CASE("PostgreSQL restarted while a worker runs an item: worker and tune reconnect, the trial counted once",
          "[integration][tune][fleet]") {
  if (!scxlab::test::have_server()) return;
  const char* server_dir = std::getenv("SCXLAB_TEST_PG_DIR");
  if (!server_dir) {
    std::cout << "SCXLAB-SKIPPED: SCXLAB_TEST_PG_DIR is not set (the server is not ours to restart)" << std::endl;
    return;
  }
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-restart");
  auto worker = start_worker(scratch.url(), dir, "w");
  wait_for_workers(scratch.url(), 1);
  auto tune = start_held_tune(scratch.url(), dir);
  REQUIRE(std::system((std::string(SCXLAB_SOURCE_DIR "/scripts/pg-test-server restart ") + server_dir).c_str()) == 0);
  std::ofstream(dir / "go").close();
  CHECK(tune.wait() == 0);
  worker.kill(SIGTERM);
  CHECK(worker.wait() == 130);
  const auto validation_trials = rows(scratch.url(), "SELECT count(*) FROM trials WHERE kind = 'validate'").at(0).at(0);
  check_each_trial_once(scratch.url(), 3 + std::stoul(validation_trials));
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

TEST_CASE("a fleet shootout runs whole rounds on two workers, each trial once, copied into its run with its host",
          "[integration][shootout][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-shootout");
  auto a = start_worker(scratch.url(), dir, "a");
  auto b = start_worker(scratch.url(), dir, "b");
  wait_for_workers(scratch.url(), 2);
  Spawned shootout({scxlab_binary(), "shootout", "-s", "eevdf,eevdf@twin", "-w",
                    "command:" + write_held_workload(dir).string(), "-n", "3", "--no-bpf", "-o", (dir / "out").string(),
                    "--store", scratch.url(), "--fleet", "auto"},
                   dir / "shootout.log");
  // Both workers hold a round at once: two trials have started and wait for the test.
  while (files_starting(dir, "started.") < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (const auto& w : fleet_status(scratch.url())["workers"]) {
    CHECK_THAT(w["doing"].get<std::string>(), Catch::Matches("shootout (warm-up round|round [1-3] of 3)"));
  }
  std::ofstream(dir / "go").close();
  CHECK(shootout.wait() == 0);
  a.kill(SIGTERM);
  b.kill(SIGTERM);
  CHECK(a.wait() == 130);
  CHECK(b.wait() == 130);
  check_each_trial_once(scratch.url(), 2 * (1 + 3));  // two schedulers, a warm-up round and three measured
  CHECK(rows(scratch.url(), "SELECT count(*) FROM work_items").at(0).at(0) == "4");  // one item per round
  CHECK(rows(scratch.url(), "SELECT count(DISTINCT worker) FROM work_items WHERE state = 'done'").at(0).at(0) == "2");
  // Each round ran whole on one host: both of its trials carry the same host.
  CHECK(rows(scratch.url(), "SELECT count(*) FROM (SELECT round FROM trials GROUP BY round "
                            "HAVING count(DISTINCT host) > 1) AS split").at(0).at(0) == "0");
  CHECK(rows(scratch.url(), "SELECT status FROM runs").at(0).at(0) == "complete");
  const scxlab::store::ResultsDb local((dir / "out" / "results.db").string());
  const auto trials = local.trials(local.runs().at(0).id);
  CHECK(trials.size() == 8);
  for (const auto& t : trials) CHECK_FALSE(t.host.empty());
  CHECK(fs::exists(dir / "out" / "report.html"));
  fs::remove_all(dir);
}

TEST_CASE("an interrupted fleet shootout resumes: its rounds are queued again and each trial is stored once",
          "[integration][shootout][fleet]") {
  if (!scxlab::test::have_server()) return;
  scxlab::test::ScratchDatabase scratch;
  const auto dir = scxlab::test::fresh_temp_dir("fleet-shootout-resume");
  auto worker = start_worker(scratch.url(), dir, "w");
  wait_for_workers(scratch.url(), 1);
  const auto out = (dir / "out").string();
  Spawned first({scxlab_binary(), "shootout", "-s", "eevdf,eevdf@twin", "-w", "command:" + write_held_workload(dir).string(),
                 "-n", "2", "--no-bpf", "-o", out, "--store", scratch.url(), "--fleet", "auto"},
                dir / "first.log");
  while (files_starting(dir, "started.") < 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  first.kill(SIGINT);
  CHECK(first.wait() == 130);
  CHECK(rows(scratch.url(), "SELECT count(*) FROM work_items WHERE state = 'cancelled'").at(0).at(0) == "3");
  std::ofstream(dir / "go").close();  // the held round ends; its item was cancelled, so its result is refused
  const auto resumed = run_process({scxlab_binary(), "shootout", "--resume", out});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  worker.kill(SIGTERM);
  CHECK(worker.wait() == 130);
  check_each_trial_once(scratch.url(), 2 * (1 + 2));
  CHECK(rows(scratch.url(), "SELECT count(*) FROM work_items").at(0).at(0) == "3");  // the same items, queued again
  const scxlab::store::ResultsDb local((dir / "out" / "results.db").string());
  CHECK(local.trials(local.runs().at(0).id).size() == 6);
  CHECK(rows(scratch.url(), "SELECT status FROM runs").at(0).at(0) == "complete");
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
  for (const std::string command : {"shootout", "gate"}) {
    std::vector<std::string> argv{scxlab_binary(), command, "-w", "messaging", "--fleet", "auto", "--store",
                                  (dir / "r.db").string(), "-o", (dir / command).string()};
    if (command == "gate") argv.insert(argv.end(), {"--candidate", "eevdf@b", "--baseline", "eevdf"});
    const auto r = run_process(argv);
    INFO(command);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("give --store postgresql://"));
  }
  const auto budget = run_process({scxlab_binary(), "shootout", "-w", "messaging", "--fleet", "auto", "--store",
                                   "postgresql://scxlab@127.0.0.1:1/none", "--time-budget", "10m", "-o",
                                   (dir / "c").string()});
  CHECK(budget.exit_code == 2);
  CHECK_THAT(budget.err, Catch::Contains("--time-budget fits rounds run one after another"));
  const auto status_of_file = run_process({scxlab_binary(), "fleet", "status", "--store", (dir / "r.db").string()});
  CHECK(status_of_file.exit_code == 2);
  CHECK_THAT(status_of_file.err, Catch::Contains("needs a PostgreSQL store"));
  fs::remove_all(dir);
}
