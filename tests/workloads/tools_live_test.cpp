// The tool adapters against live runs of the installed tools (rt-tests, linux-perf and
// stress-ng are installed by scripts/setup.sh --test); a missing tool is reported as
// unavailable with its install hint instead of failing.
#include <map>

#include "catch.hpp"
#include "metrics_of.hpp"
#include "workloads/workload.hpp"

using namespace scxlab;
using namespace scxlab::workloads;

namespace {

// Runs the tool when installed; nullopt (with a warning) when not.
std::optional<std::map<std::string, double>> live(const std::string& workload, const Params& params) {
  const auto info = find_workload(workload);
  REQUIRE(info);
  if (!info->unavailable.empty()) {
    WARN(workload << " " << info->unavailable);
    return std::nullopt;
  }
  const auto r = run(workload, params, {});
  INFO(workload << ": " << r.reason << "\n" << r.stderr_tail);
  REQUIRE(r.status == Result::Status::ok);
  return metrics_of(r);
}

}  // namespace

TEST_CASE("live hackbench, processes over sockets and threads over pipes", "[workloads][tools]") {
  for (const auto& [ipc, mode] : {std::pair{"sockets", "processes"}, {"pipes", "threads"}}) {
    if (const auto m = live("hackbench", {{"groups", "1"}, {"loops", "10"}, {"ipc", ipc}, {"mode", mode}})) {
      CHECK(m->at("time_s") > 0);
      CHECK(m->at("messages_per_s") == Approx(1 * 20 * 20 * 10 / m->at("time_s")));
    }
  }
}

TEST_CASE("live perf bench sched messaging and pipe", "[workloads][tools]") {
  if (const auto m = live("perf-messaging", {{"groups", "1"}, {"loops", "10"}, {"mode", "threads"}})) {
    CHECK(m->at("time_s") > 0);
  }
  if (const auto m = live("perf-pipe", {{"loops", "2000"}})) {
    CHECK(m->at("usecs_per_op") > 0);
    CHECK(m->at("ops_per_s") > 0);
  }
}

TEST_CASE("live stress-ng with its metrics", "[workloads][tools]") {
  if (const auto m = live("stress-ng", {{"stressor", "switch+yield"}, {"instances", "1"}, {"duration_s", "1"}})) {
    CHECK(m->at("bogo_ops_per_s") > 0);
    CHECK(m->at("bogo_ops_per_s") == Approx(m->at("bogo_ops_per_s.switch") + m->at("bogo_ops_per_s.yield")));
  }
}

TEST_CASE("stress-ng as background load", "[workloads][tools]") {
  if (!find_workload("stress-ng")->unavailable.empty()) return;
  const auto r = run("messaging", {{"groups", "1"}, {"loops", "10"}, {"background", "stress-ng"}}, {});
  INFO(r.reason);
  CHECK(r.status == Result::Status::ok);
}

TEST_CASE("live cyclictest with histogram percentiles", "[workloads][tools]") {
  if (const auto m = live("cyclictest", {{"threads", "1"}, {"duration_s", "1"}, {"interval_us", "2000"}})) {
    CHECK(m->at("cycles") > 0);
    CHECK(m->at("latency_us.min") <= m->at("latency_us.avg"));
    CHECK(m->at("latency_us.avg") <= m->at("latency_us.max"));
    if (m->count("latency_us.p99")) CHECK(m->at("latency_us.p99") <= m->at("latency_us.max"));
  }
}

TEST_CASE("schbench: run when installed, else unavailable with how to get it", "[workloads][tools]") {
  const auto info = find_workload("schbench");
  REQUIRE(info);
  if (!info->unavailable.empty()) {
    CHECK(info->unavailable.find("not installed") == 0);
    CHECK(info->unavailable.find("schbench.git") != std::string::npos);
    const auto r = run("schbench", {}, {});
    CHECK(r.status == Result::Status::failed);
    CHECK(r.reason.find("not installed") != std::string::npos);
    return;
  }
  const auto m = live("schbench", {{"runtime_s", "2"}, {"workers", "2"}});
  CHECK(m->at("wakeup_latency_us.p50") <= m->at("wakeup_latency_us.p99"));
}
