#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <bpf/bpf.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "metrics/bpf_collector.hpp"
#include "support.hpp"

using namespace scxlab;
using namespace scxlab::metrics;
using test::HeldChild;
using test::metric;

namespace {

// Runs `body` as a held workload root with the probes following it; the probes' results.
Collected probe(BpfCollector& probes, std::function<void()> body) {
  HeldChild root(std::move(body));
  probes.start({root.pid(), ""});
  root.release_and_wait();
  probes.stop();
  return probes.results();
}

const stats::NamedHistogram& histogram(const Collected& c, const std::string& name) {
  for (const auto& h : c.histograms) {
    if (h.name == name) return h;
  }
  FAIL("no histogram " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the probes load, attach and count a forked ping-pong, percentiles in order", "[bpf]") {
  BpfCollector probes(GENERATE(BpfAttach::automatic, BpfAttach::raw_tp));
  INFO("attached as " << probes.attach_mode());
  const auto r = probe(probes, [] { test::pipe_ping_pong(3000); });

  CHECK(metric(r, "wakeups") >= 3000);  // the forked partner alone is woken once per round
  CHECK(metric(r, "switches.voluntary") > 0);
  CHECK(metric(r, "runq_wait_us.count") > 0);
  CHECK(metric(r, "runq_wait_after_wakeup_us.count") > 0);
  CHECK(metric(r, "oncpu_us.count") > 0);
  for (const char* base : {"runq_wait_us", "runq_wait_after_wakeup_us", "oncpu_us"}) {
    INFO(base);
    const std::string b = base;
    CHECK(metric(r, b + ".p50") <= metric(r, b + ".p90"));
    CHECK(metric(r, b + ".p90") <= metric(r, b + ".p99"));
    CHECK(metric(r, b + ".p99") <= metric(r, b + ".p99.9"));
    CHECK(metric(r, b + ".p99.9") <= metric(r, b + ".max"));
    CHECK(metric(r, b + ".mean") <= metric(r, b + ".max"));
  }
  // Every recorded wait ends with the task put on a CPU, which the kernel counts as a
  // timeslice; only a task preempted after its exit hook took its counters adds one unseen.
  CHECK(metric(r, "runq_wait_us.count") <= 1.01 * metric(r, "schedstat.timeslices"));
  CHECK(metric(r, "runq_wait_us.count") >= 0.9 * metric(r, "schedstat.timeslices"));
  CHECK(metric(r, "schedstat.run_ms") > 0);
  CHECK(metric(r, "probes.lost_events") == 0);
  const auto& combined = histogram(r, "runq_wait").hist;
  CHECK(combined.count() == static_cast<std::uint64_t>(metric(r, "runq_wait_us.count")));
  CHECK(combined.count() == histogram(r, "runq_wait_after_wakeup").hist.count() +
                                histogram(r, "runq_wait_after_preempt").hist.count());
}

TEST_CASE("a busy process outside the target never appears", "[bpf]") {
  BpfCollector probes(GENERATE(BpfAttach::automatic, BpfAttach::raw_tp));
  HeldChild outsider([] { test::pipe_ping_pong(1 << 30); });  // until killed
  outsider.release();
  HeldChild root([] {});
  probes.start({root.pid(), ""});
  root.release_and_wait();
  test::pipe_ping_pong(2000);  // the test process itself is outside too
  probes.stop();
  const auto r = probes.results();
  CHECK(metric(r, "wakeups") <= 2);  // the root's release, nothing of the outsiders'
  CHECK(metric(r, "switches.voluntary") <= 2);
}

TEST_CASE("the filter follows forks to grandchildren and threads", "[bpf]") {
  BpfCollector probes(GENERATE(BpfAttach::automatic, BpfAttach::raw_tp));
  INFO("attached as " << probes.attach_mode());
  SECTION("a grandchild's ping-pong is counted") {
    const auto r = probe(probes, [] {
      const pid_t child = fork();
      if (child == 0) {
        test::pipe_ping_pong(2000);  // the grandchild of the root is the partner
        _exit(0);
      }
      waitpid(child, nullptr, 0);
    });
    CHECK(metric(r, "wakeups") >= 2000);
  }
  SECTION("a thread's ping-pong is counted") {
    const auto r = probe(probes, [] {
      int there[2], back[2];
      if (pipe(there) != 0 || pipe(back) != 0) throw std::runtime_error("pipe");
      std::thread partner([&] {
        char c;
        for (int i = 0; i < 2000; ++i) {
          if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1) return;
        }
      });
      char c = 'x';
      for (int i = 0; i < 2000; ++i) {
        if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) break;
      }
      partner.join();
    });
    CHECK(metric(r, "wakeups") >= 2000);
  }
}

TEST_CASE("a busy task among CPU hogs waits clearly, an idle sleeper hardly", "[bpf][slow]") {
  BpfCollector probes;
  Collected busy;
  {
    std::vector<std::unique_ptr<test::Hog>> hogs;
    for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i) hogs.push_back(std::make_unique<test::Hog>());
    busy = probe(probes, [] { test::spin_for_ms(1000); });
  }
  const auto idle = probe(probes, [] {
    for (int i = 0; i < 50; ++i) usleep(5000);
  });
  INFO("busy: wait " << metric(busy, "schedstat.wait_ms") << " ms, p50 " << metric(busy, "runq_wait_us.p50")
                     << " us; idle: p50 " << metric(idle, "runq_wait_us.p50") << " us");
  CHECK(metric(busy, "schedstat.wait_ms") > 100);  // ~1/3 of 1 s sharing 2 CPUs among 3 tasks
  CHECK(metric(busy, "switches.involuntary") > 0);
  CHECK(metric(busy, "runq_wait_after_preempt_us.count") > 0);
  // About one wait per wakeup from usleep (a wakeup that lands before the task left the CPU
  // has nothing to wait for).
  CHECK(metric(idle, "runq_wait_us.count") >= 40);
  CHECK(metric(idle, "runq_wait_us.p50") < metric(busy, "runq_wait_us.p50"));
}

TEST_CASE("the last-level cache of each CPU comes from sysfs", "[bpf]") {
  const auto dir = std::filesystem::temp_directory_path() / ("scxlab-llc-" + std::to_string(getpid()));
  const auto cache = [&](int cpu, int index, const char* level, const char* type, const char* shared) {
    const auto d = dir / ("cpu" + std::to_string(cpu)) / "cache" / ("index" + std::to_string(index));
    std::filesystem::create_directories(d);
    std::ofstream(d / "level") << level << "\n";
    std::ofstream(d / "type") << type << "\n";
    std::ofstream(d / "shared_cpu_list") << shared << "\n";
  };
  for (int cpu = 0; cpu < 4; ++cpu) {
    cache(cpu, 0, "1", "Data", std::to_string(cpu).c_str());
    cache(cpu, 1, "1", "Instruction", std::to_string(cpu).c_str());
    cache(cpu, 2, "3", "Unified", cpu < 2 ? "0-1" : "2-3");
  }
  CHECK(llc_of_cpus(dir.string(), 4) == std::vector<std::uint32_t>{0, 0, 2, 2});
  std::filesystem::remove_all(dir / "cpu3" / "cache");
  CHECK(llc_of_cpus(dir.string(), 4).empty());  // an online CPU without caches: unknown
  std::filesystem::remove_all(dir);
}

TEST_CASE("the probes' own CPU time is reported when the kernel measures it", "[bpf]") {
  BpfCollector probes;
  const auto without = probe(probes, [] { test::pipe_ping_pong(100); });
  CHECK_THAT(test::unavailable_reason(without, "probes.cpu_ms"), Catch::Matchers::Contains("bpf_stats_enabled"));

  const int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);  // until closed; nothing to restore
  REQUIRE(stats >= 0);
  const auto with = probe(probes, [] { test::pipe_ping_pong(1000); });
  close(stats);
  CHECK(metric(with, "probes.cpu_ms") > 0);
  CHECK(metric(with, "probes.ns_per_event") > 0);
}
