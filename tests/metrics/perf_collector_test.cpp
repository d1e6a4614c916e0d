#include <cstring>
#include <functional>

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "metrics/perf_collector.hpp"
#include "support.hpp"

using namespace scxlab;
using namespace scxlab::metrics;
using test::metric;

namespace {

// "pmu::EVENT" for the first event of the CPU's own PMU (as libpfm4 detects it) that needs no
// unit mask; "" if libpfm4 knows no PMU for this CPU.
std::string a_native_event_of_cpu_pmu() {
  if (pfm_initialize() != PFM_SUCCESS) return "";
  pfm_pmu_info_t pmu;
  int i;
  pfm_for_all_pmus(i) {
    std::memset(&pmu, 0, sizeof pmu);
    pmu.size = sizeof pmu;
    const auto id = static_cast<pfm_pmu_t>(i);
    if (pfm_get_pmu_info(id, &pmu) != PFM_SUCCESS || !pmu.is_present || pmu.type != PFM_PMU_TYPE_CORE) continue;
    for (int e = pmu.first_event; e != -1; e = pfm_get_event_next(e)) {
      pfm_event_info_t event;
      std::memset(&event, 0, sizeof event);
      event.size = sizeof event;
      if (pfm_get_event_info(e, PFM_OS_NONE, &event) != PFM_SUCCESS) continue;
      const auto name = std::string(pmu.name) + "::" + event.name;
      try {
        encode_event(name);
        return name;
      } catch (const std::invalid_argument&) {
        // needs a unit mask: try the next one
      }
    }
  }
  return "";
}

bool host_counts(const char* event) {
  const int fd = open_counter(encode_event(event), 0);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

Collected count(PerfCollector& perf, std::function<void()> body) {
  test::HeldChild root(std::move(body));
  perf.start({root.pid(), ""});
  root.release_and_wait();
  perf.stop();
  return perf.results();
}

}  // namespace

TEST_CASE("libpfm4 encodes generic and native event names", "[perf]") {
  const auto cycles = encode_event("cycles");
  CHECK(cycles.type == PERF_TYPE_HARDWARE);
  CHECK(cycles.config == PERF_COUNT_HW_CPU_CYCLES);
  const auto instructions = encode_event("instructions");
  CHECK(instructions.type == PERF_TYPE_HARDWARE);
  CHECK(instructions.config == PERF_COUNT_HW_INSTRUCTIONS);
  CHECK(encode_event("cache-misses").config == PERF_COUNT_HW_CACHE_MISSES);
  const auto sw = encode_event("perf::PERF_COUNT_SW_CONTEXT_SWITCHES");  // libpfm4's perf PMU, native form
  CHECK(sw.type == PERF_TYPE_SOFTWARE);
  CHECK(sw.config == PERF_COUNT_SW_CONTEXT_SWITCHES);

  const auto native = a_native_event_of_cpu_pmu();
  INFO("the CPU's PMU as libpfm4 sees it: " << (native.empty() ? "none" : native));
  if (!native.empty()) {
    const auto attr = encode_event(native);
    CHECK((attr.type == PERF_TYPE_RAW || attr.type >= PERF_TYPE_MAX || attr.type == PERF_TYPE_HARDWARE));
  }
}

TEST_CASE("a bad event name is rejected with a clear error", "[perf]") {
  try {
    encode_event("no-such-event");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Matchers::Contains("'no-such-event'"));
    CHECK_THAT(what, Catch::Matchers::Contains("event not found"));
  }
  PerfCollector perf({"no-such-event"});
  bool listed = false;
  for (const auto& u : perf.unusable()) listed |= u.name == "no_such_event" && !u.reason.empty();
  CHECK(listed);
}

TEST_CASE("metric names of event names", "[perf]") {
  CHECK(perf_metric_name("cache-misses") == "cache_misses");
  CHECK(perf_metric_name("amd64_fam19h_zen4::RETIRED_INSTRUCTIONS") == "amd64_fam19h_zen4.retired_instructions");
  CHECK(perf_metric_name("INST_RETIRED:ANY_P") == "inst_retired_any_p");
}

TEST_CASE("software counters count a forked ping-pong through inherit", "[perf]") {
  PerfCollector perf({});
  const auto r = count(perf, [] { test::pipe_ping_pong(2000); });
  CHECK(metric(r, "ctx_switches") >= 2000);  // the forked partner blocks once per round
  CHECK(metric(r, "task_clock_ms") > 0);
  CHECK(metric(r, "page_faults") > 0);       // the fork's copy-on-write faults at least
  CHECK(test::has_metric(r, "cpu_migrations"));
}

TEST_CASE("hardware counters the host lacks are unavailable with a reason, never zero", "[perf]") {
  PerfCollector perf({});
  const auto r = count(perf, [] { test::spin_for_ms(20); });
  for (const char* event : {"cycles", "instructions"}) {
    INFO(event);
    if (host_counts(event)) {  // a bare-metal runner
      CHECK(metric(r, event) > 0);
    } else {                   // this development host, and most VMs
      CHECK_FALSE(test::has_metric(r, event));
      CHECK_THAT(test::unavailable_reason(r, event), Catch::Matchers::Contains("not supported"));
    }
  }
  if (!host_counts("cycles")) {
    CHECK_FALSE(test::has_metric(r, "ipc"));
    CHECK_THAT(test::unavailable_reason(r, "ipc"), Catch::Matchers::Contains("needs instructions"));
  }
}

TEST_CASE("counters of a target that is already gone are unavailable, not zero", "[perf]") {
  PerfCollector perf({});
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  perf.start({gone, ""});
  perf.stop();
  const auto r = perf.results();
  CHECK(r.metrics.empty());
  CHECK_THAT(test::unavailable_reason(r, "ctx_switches"), Catch::Matchers::Contains("exited"));
}
