#include <map>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "metrics/collector.hpp"
#include "support.hpp"

using namespace scxlab;
using namespace scxlab::metrics;

TEST_CASE("the collector set measures a workload with every collector this host runs", "[set]") {
  CollectorSet set(CollectorOptions{});
  for (int trial = 0; trial < 2; ++trial) {  // the set is reused across trials
    test::HeldChild root([] { test::pipe_ping_pong(1000); });
    set.start({root.pid(), ""});
    root.release_and_wait();
    set.stop();
    const auto r = set.results();
    std::set<std::string> sources;
    for (const auto& m : r.metrics) sources.insert(m.source.substr(0, m.source.find(' ')));
    CHECK(sources.count("bpf") == 1);
    CHECK(sources.count("perf") == 1);
    CHECK(sources.count("proc") == 1);
    CHECK(test::metric(r, "wakeups") >= 1000);
    CHECK(test::metric(r, "ctx_switches") >= 1000);
    CHECK(test::unavailable_reason(r, "scx.*") == "this scheduler serves no scx_stats socket");
    const bool energy_reported = test::has_metric(r, "energy_j") || !test::unavailable_reason(r, "energy_j").empty();
    CHECK(energy_reported);  // measured, or why not (VMs have no RAPL)
    CHECK(r.histograms.size() == 4);
    for (const auto& u : r.unavailable) {
      INFO(u.name);
      CHECK_FALSE(u.reason.empty());
      CHECK_FALSE(test::has_metric(r, u.name));  // never both a value and a reason
    }
  }
}

TEST_CASE("a collector failing in one trial is reported, the others go on", "[set]") {
  CollectorSet set(CollectorOptions{});
  const pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  REQUIRE_NOTHROW(set.start({gone, "/nonexistent/stats"}));
  REQUIRE_NOTHROW(set.stop());
  const auto r = set.results();
  CHECK_THAT(test::unavailable_reason(r, "ctx_switches"), Catch::Matchers::Contains("exited"));
  CHECK_THAT(test::unavailable_reason(r, "scx.*"), Catch::Matchers::Contains("/nonexistent/stats"));
  CHECK_THAT(test::unavailable_reason(r, "bpf.*"), Catch::Matchers::Contains("No such process"));
  const bool psi_reported = test::has_metric(r, "psi.cpu_some_ms") || !test::unavailable_reason(r, "psi.cpu_*").empty();
  CHECK(psi_reported);  // the system-wide collector still reports
}

TEST_CASE("collectors turned off are listed as such", "[set]") {
  CollectorOptions options;
  options.bpf = options.perf = options.energy = false;
  CollectorSet set(options);
  test::HeldChild root([] {});
  set.start({root.pid(), ""});
  root.release_and_wait();
  set.stop();
  const auto r = set.results();
  CHECK_THAT(test::unavailable_reason(r, "bpf.*"), Catch::Matchers::Contains("turned off"));
  CHECK_THAT(test::unavailable_reason(r, "perf.*"), Catch::Matchers::Contains("turned off"));
  CHECK_THAT(test::unavailable_reason(r, "power_w.avg"), Catch::Matchers::Contains("turned off"));
  CHECK_FALSE(test::has_metric(r, "wakeups"));
}

TEST_CASE("capabilities name what this host can collect and why not", "[set]") {
  const auto caps = probe_capabilities(CollectorOptions{});
  std::map<std::string, Capability> by_name;
  for (const auto& c : caps) {
    INFO(c.name);
    CHECK(c.available == c.reason.empty());
    CHECK_FALSE(c.metrics.empty());
    by_name[c.name] = c;
  }
  CHECK(by_name.at("bpf.sched_probes").available);  // root on a BTF kernel
  CHECK(by_name.at("perf.ctx_switches").available);
  CHECK(by_name.count("perf.cycles") == 1);
  CHECK(by_name.count("proc.psi") == 1);
  CHECK(by_name.count("scx_stats") == 1);
  const auto& energy = by_name.at("energy");
  CHECK(energy.metrics == "energy_j, power_w.avg, energy_per_op");
  CHECK(energy.available == !energy.detail.empty());  // which RAPL zones, when there are any
}
