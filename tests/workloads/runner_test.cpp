#include <algorithm>
#include <atomic>
#include <functional>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <csignal>
#include <sys/syscall.h>
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

struct Proc {
  pid_t pid, ppid, pgrp;
  char state;
  long cpu_ticks;  // utime + stime
};

// Every live process (zombies excluded: they have done all they will do).
std::vector<Proc> processes() {
  std::vector<Proc> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    Proc p{std::stoi(name), 0, 0, 0, 0};
    long utime = 0, stime = 0;
    if (std::sscanf(stat.c_str() + close + 2, "%c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &p.state, &p.ppid,
                    &p.pgrp, &utime, &stime) == 5 &&
        p.state != 'Z' && p.state != 'X') {
      p.cpu_ticks = utime + stime;
      out.push_back(p);
    }
  }
  return out;
}

bool descends_from(pid_t pid, pid_t ancestor, const std::vector<Proc>& all) {
  for (int hops = 0; pid > 1 && hops < 64; ++hops) {
    if (pid == ancestor) return true;
    const auto it = std::find_if(all.begin(), all.end(), [&](const Proc& p) { return p.pid == pid; });
    if (it == all.end()) return false;
    pid = it->ppid;
  }
  return false;
}

std::size_t count_if_proc(const std::function<bool(const Proc&)>& pred) {
  const auto all = processes();
  return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), pred));
}

int processes_in_group(pid_t pgid) {
  return static_cast<int>(count_if_proc([&](const Proc& p) { return p.pgrp == pgid; }));
}

std::size_t threads_of(pid_t pid) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator("/proc/" + std::to_string(pid) + "/task"), fs::directory_iterator{}));
}

// The syscall a task is blocked in, from /proc/PID/syscall: its number and first argument.
std::pair<long, long> blocked_in(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/syscall");
  std::string number, arg;
  in >> number >> arg;
  if (number.empty() || number == "running") return {-1, -1};
  return {std::stol(number), arg.empty() ? -1 : std::stol(arg, nullptr, 16)};
}

long cpu_ticks_of(pid_t pid) {
  for (const auto& p : processes()) {
    if (p.pid == pid) return p.cpu_ticks;
  }
  return -1;
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

TEST_CASE("on_ready sees the root blocked before any work, on_finished follows", "[workloads][runner]") {
  for (const auto* workload : {"messaging", "request", "frames", "hackbench"}) {
    pid_t seen = 0;
    std::size_t threads_at_ready = 0, children_at_ready = 99;
    long blocked_syscall = -2, blocked_fd = -1, cpu_before = -1, cpu_after = -2;
    std::string fd_kind;
    bool finished = false;
    RunOptions o;
    o.on_ready = [&](pid_t pid) {
      seen = pid;
      // Wait (bounded) until the fresh child reaches its release read, then look at it.
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (blocked_in(pid).first != SYS_read && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      std::tie(blocked_syscall, blocked_fd) = blocked_in(pid);
      fd_kind = fs::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(blocked_fd)).string();
      threads_at_ready = threads_of(pid);
      children_at_ready = count_if_proc([&](const Proc& p) { return p.ppid == pid; });
      // A collector that is slow to attach: the child must not start meanwhile.
      cpu_before = cpu_ticks_of(pid);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      cpu_after = cpu_ticks_of(pid);
    };
    o.on_finished = [&] { finished = true; };
    Params tiny{{"groups", "1"}, {"loops", "10"}};
    if (std::string(workload) == "request") tiny = {{"runtime_s", "1"}, {"warmup_s", "0"}};
    if (std::string(workload) == "frames") tiny = {{"duration_s", "1"}, {"warmup_s", "0"}};
    const auto r = run(workload, tiny, o);
    INFO(workload << ": " << r.reason);
    REQUIRE(r.status == Result::Status::ok);
    CHECK(seen > 0);
    CHECK(blocked_syscall == SYS_read);            // waiting for the release byte...
    CHECK(fd_kind.rfind("socket:", 0) == 0);       // ...on the release channel
    CHECK(threads_at_ready == 1);                  // no worker thread yet
    CHECK(children_at_ready == 0);                 // no worker process yet
    CHECK(cpu_after - cpu_before <= 1);            // idle while the collectors attach (<= 1 tick)
    CHECK(finished);
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(seen)));  // reaped
  }
}

TEST_CASE("background load runs beside the root, never under it, and is gone afterwards", "[workloads][runner]") {
  std::vector<pid_t> background;
  std::size_t under_root = 99;
  RunOptions o;
  o.on_ready = [&](pid_t root) {
    const auto all = processes();
    under_root = 0;
    for (const auto& p : all) {
      if (p.pid == root || p.pid == getpid() || !descends_from(p.pid, getpid(), all)) continue;
      if (descends_from(p.pid, root, all)) {
        ++under_root;
      } else {
        background.push_back(p.pid);
        CHECK(p.pgrp != root);
      }
    }
  };
  const auto r = run("messaging", {{"groups", "1"}, {"loops", "10"}, {"background", "hogs"}}, o);
  REQUIRE(r.status == Result::Status::ok);
  CHECK(under_root == 0);
  CHECK(background.size() >= std::max(1U, std::thread::hardware_concurrency()));  // a hog per CPU
  const auto after = processes();
  for (pid_t pid : background) {
    INFO("background pid " << pid);
    CHECK(std::none_of(after.begin(), after.end(), [&](const Proc& p) { return p.pid == pid; }));
  }
}

TEST_CASE("an unknown background is refused with the valid ones", "[workloads][runner]") {
  const auto v = validate("frames", {{"background", "bitcoin"}});
  CHECK(v.error.find("hogs") != std::string::npos);
  CHECK(v.error.find("stress-ng") != std::string::npos);
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

TEST_CASE("a timeout kills an external tool's whole group", "[workloads][runner]") {
  pid_t root = 0;
  RunOptions o;
  o.timeout = std::chrono::milliseconds(300);
  o.on_ready = [&](pid_t pid) { root = pid; };
  const auto r = run("hackbench", {{"groups", "4"}, {"loops", "10000000"}}, o);
  CHECK(r.status == Result::Status::timed_out);
  REQUIRE(root > 0);
  CHECK(processes_in_group(root) == 0);
  CHECK(count_if_proc([](const Proc& p) { return p.ppid == getpid(); }) == 0);
}

TEST_CASE("cancel ends the run as interrupted", "[workloads][runner]") {
  std::atomic<bool> cancel{false};
  RunOptions o;
  o.cancel = &cancel;
  o.on_ready = [&](pid_t) { cancel = true; };  // as if Ctrl-C came right after the start
  const auto r = run("messaging", {{"groups", "2"}, {"fds", "10"}, {"loops", "10000000"}}, o);
  CHECK(r.status == Result::Status::interrupted);
}
