#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <csignal>
#include <unistd.h>

#include "catch.hpp"
#include "workloads/workload.hpp"

using namespace scxlab;
using namespace scxlab::workloads;
namespace fs = std::filesystem;

namespace {

const Metric* find(const Result& r, const std::string& name) {
  for (const auto& m : r.metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::set<pid_t> children_of(pid_t pid) {
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t c; in >> c;) out.insert(c);
  }
  return out;
}

// Live (not yet dead: zombies are reaped by init) processes whose process group is `pgid`.
int processes_in_group(pid_t pgid) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state;
    pid_t ppid, pgrp;
    if (std::sscanf(stat.c_str() + close + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid && state != 'Z') ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("validate fills defaults and names bad input with the fix", "[workloads][params]") {
  const auto ok = validate("messaging", {{"groups", "2"}});
  REQUIRE(ok.params);
  CHECK(ok.params->at("groups") == "2");
  CHECK(ok.params->at("loops") == "100");

  const auto unknown = validate("messaging", {{"grups", "2"}});
  CHECK_FALSE(unknown.params);
  CHECK(unknown.error.find("grups") != std::string::npos);
  CHECK(unknown.error.find("groups") != std::string::npos);  // lists the valid ones

  const auto range = validate("messaging", {{"groups", "0"}});
  CHECK(range.error.find("out of range [1, 1000]") != std::string::npos);
  CHECK(validate("messaging", {{"ipc", "carrier-pigeon"}}).error.find("sockets|pipes") != std::string::npos);
  CHECK(validate("messaging", {{"loops", "1.5"}}).error.find("integer") != std::string::npos);
  CHECK(validate("no-such-workload", {}).error.find("messaging") != std::string::npos);
}

TEST_CASE("messaging runs in processes and threads, over sockets and pipes", "[workloads][messaging]") {
  for (const auto& [ipc, mode] : {std::pair{"sockets", "processes"}, std::pair{"pipes", "threads"}}) {
    const auto r = run("messaging", {{"groups", "2"}, {"fds", "4"}, {"loops", "50"}, {"ipc", ipc}, {"mode", mode}}, {});
    INFO(ipc << "/" << mode << ": " << r.reason << " " << r.stderr_tail);
    REQUIRE(r.status == Result::Status::ok);
    const auto* t = find(r, "time_s");
    const auto* rate = find(r, "messages_per_s");
    REQUIRE(t);
    REQUIRE(rate);
    CHECK(t->value > 0);
    CHECK(rate->value == Approx(2 * 4 * 4 * 50 / t->value).epsilon(1e-6));
    CHECK(r.wall_s >= t->value);
  }
}

TEST_CASE("on_ready sees the root before it has done anything; on_finished follows", "[workloads][runner]") {
  pid_t seen = 0;
  std::size_t threads_at_ready = 0, children_at_ready = 99;
  bool finished = false;
  RunOptions o;
  o.on_ready = [&](pid_t pid) {
    seen = pid;
    threads_at_ready = static_cast<std::size_t>(std::distance(
        fs::directory_iterator("/proc/" + std::to_string(pid) + "/task"), fs::directory_iterator{}));
    children_at_ready = children_of(pid).size();
  };
  o.on_finished = [&] { finished = true; };
  const auto r = run("messaging", {{"groups", "1"}, {"fds", "2"}, {"loops", "10"}, {"mode", "threads"}}, o);
  REQUIRE(r.status == Result::Status::ok);
  CHECK(seen > 0);
  CHECK(threads_at_ready == 1);   // no worker thread yet
  CHECK(children_at_ready == 0);  // no worker process yet
  CHECK(finished);
  CHECK_FALSE(fs::exists("/proc/" + std::to_string(seen)));  // reaped
}

TEST_CASE("a timeout kills the whole process group and leaves nothing behind", "[workloads][runner]") {
  pid_t root = 0;
  RunOptions o;
  o.timeout = std::chrono::milliseconds(300);
  o.on_ready = [&](pid_t pid) { root = pid; };
  const auto r = run("messaging", {{"groups", "2"}, {"fds", "10"}, {"loops", "10000000"}}, o);
  CHECK(r.status == Result::Status::timed_out);
  CHECK(r.reason.find("timeout") != std::string::npos);
  REQUIRE(root > 0);
  CHECK(processes_in_group(root) == 0);
}

TEST_CASE("cancel ends the run as interrupted", "[workloads][runner]") {
  std::atomic<bool> cancel{false};
  RunOptions o;
  o.cancel = &cancel;
  o.on_ready = [&](pid_t) { cancel = true; };  // as if Ctrl-C came right after the start
  const auto r = run("messaging", {{"groups", "2"}, {"fds", "10"}, {"loops", "10000000"}}, o);
  CHECK(r.status == Result::Status::interrupted);
}
