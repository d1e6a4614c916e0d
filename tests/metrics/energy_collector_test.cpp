// The energy collector on fake powercap and perf-PMU trees (the collector takes their roots),
// and on this host's own, where it has any.
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catch.hpp"
#include "metrics/collector.hpp"
#include "metrics/energy_collector.hpp"
#include "support.hpp"
#include "process.hpp"

using namespace scxlab;
using namespace scxlab::metrics;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kNever = std::chrono::hours(24);  // a wrap-check interval that never elapses in a test
constexpr std::uint64_t kRange = 262143328850;   // a real max_energy_range_uj (32-bit counter, 61 uJ unit)

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text << "\n";
}

// A powercap zone as sysfs shows it: name, energy_uj, max_energy_range_uj.
void zone(const fs::path& root, const std::string& dir, const std::string& name, std::uint64_t energy_uj) {
  write(root / dir / "name", name);
  write(root / dir / "energy_uj", std::to_string(energy_uj));
  write(root / dir / "max_energy_range_uj", std::to_string(kRange));
}

struct FakeHost {
  fs::path root = test::fresh_temp_dir("energy");
  EnergyPaths paths{(root / "powercap").string(), (root / "power").string()};
  fs::path powercap() const { return paths.powercap; }
  ~FakeHost() { fs::remove_all(root); }
};

// A machine with two packages, their subzones, the platform zone and the MMIO duplicate.
void two_packages(const fs::path& powercap) {
  fs::create_directories(powercap / "intel-rapl");  // the control type: no counter of its own
  zone(powercap, "intel-rapl:0", "package-0", 1'000'000);
  zone(powercap, "intel-rapl:0:0", "core", 7);
  zone(powercap, "intel-rapl:0:1", "dram", 7);
  zone(powercap, "intel-rapl:1", "package-1", 2'000'000);
  zone(powercap, "intel-rapl:2", "psys", 7);
  zone(powercap, "intel-rapl-mmio:0", "package-0", 7);
}

double value_of(const Collected& c, const std::string& name) { return test::metric(c, name); }

// A FIFO in place of a sysfs counter: each read by the collector takes the next value fed.
// The test holds it open for reading and writing both, so a reader never sees an end of file
// and a write never finds no reader; each value is fed once the previous one was taken, so no
// reader gets two.
class FifoCounter {
 public:
  explicit FifoCounter(const fs::path& file) {
    fs::remove(file);
    REQUIRE(mkfifo(file.c_str(), 0600) == 0);
    fd_ = open(file.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(fd_ >= 0);
  }
  ~FifoCounter() { close(fd_); }
  FifoCounter(const FifoCounter&) = delete;
  FifoCounter& operator=(const FifoCounter&) = delete;

  // Feeds `text` and waits until a reader took it (or `give_up`).
  void feed(const std::string& text, const std::function<bool()>& give_up = [] { return false; }) {
    const auto line = text + "\n";
    REQUIRE(::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    for (int unread = 1; ioctl(fd_, FIONREAD, &unread) == 0 && unread > 0 && !give_up();) std::this_thread::yield();
  }

  // Feeds `text` to every read until `done` is ready.
  template <typename T>
  void feed_until(const std::string& text, std::future<T>& done) {
    const auto ready = [&] { return done.wait_for(0s) == std::future_status::ready; };
    while (!ready()) feed(text, ready);
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("energy: the package zones are summed, subzones, psys and MMIO duplicates are not", "[energy]") {
  FakeHost host;
  two_packages(host.powercap());
  EnergyCollector energy(host.paths, kNever);
  CHECK(energy.source() == "powercap intel-rapl:0 (package-0) + intel-rapl:1 (package-1); "
                           "not intel-rapl:2 (psys) (not a package)");
  energy.start({});
  write(host.powercap() / "intel-rapl:0" / "energy_uj", "3500000");
  write(host.powercap() / "intel-rapl:1" / "energy_uj", "2500000");
  for (const char* other : {"intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:2", "intel-rapl-mmio:0"}) {
    write(host.powercap() / other / "energy_uj", "999999999");
  }
  energy.stop();
  const auto r = energy.results();
  CHECK(value_of(r, "energy_j") == Approx(3.0));  // 2.5 J + 0.5 J
  CHECK(value_of(r, "power_w.avg") > 0);
  for (const auto& m : r.metrics) {
    CHECK(m.direction == Direction::lower_is_better);
    CHECK(m.source == "energy: " + energy.source());
  }
  CHECK(r.metrics[0].unit == "J");
  CHECK(r.metrics[1].unit == "W");
}

TEST_CASE("energy: a counter that wraps at max_energy_range_uj is corrected", "[energy]") {
  FakeHost host;
  zone(host.powercap(), "intel-rapl:0", "package-0", kRange - 328850);
  EnergyCollector energy(host.paths, kNever);
  energy.start({});
  write(host.powercap() / "intel-rapl:0" / "energy_uj", "500000");
  energy.stop();
  CHECK(value_of(energy.results(), "energy_j") == Approx(0.82885));  // 328850 uJ to the wrap, 500000 after
}

TEST_CASE("energy: reads during the trial catch every wrap of a long trial", "[energy]") {
  FakeHost host;
  zone(host.powercap(), "intel-rapl:0", "package-0", 0);
  FifoCounter counter(host.powercap() / "intel-rapl:0" / "energy_uj");  // each read waits for the test's value

  auto made = std::async(std::launch::async, [&] { return std::make_unique<EnergyCollector>(host.paths, 1ms); });
  counter.feed("100");  // the constructor's probe
  auto energy = made.get();
  auto started = std::async(std::launch::async, [&] { energy->start({}); });
  counter.feed("1000");  // the start
  started.get();
  // The wrap check reads: two wraps, which the reads at the ends alone could not tell from none.
  for (auto v : {kRange - 10, std::uint64_t{500}, kRange - 5, std::uint64_t{20}}) counter.feed(std::to_string(v));
  auto stopped = std::async(std::launch::async, [&] { energy->stop(); });
  counter.feed_until("20", stopped);
  stopped.get();
  const double expected_uj = (kRange - 10 - 1000) + (10 + 500) + (kRange - 5 - 500) + (5 + 20);
  CHECK(value_of(energy->results(), "energy_j") == Approx(expected_uj * 1e-6));
}

TEST_CASE("energy: an unreadable counter makes the source unusable, with the file and the reason", "[energy]") {
  FakeHost host;
  two_packages(host.powercap());
  SECTION("at construction") {
    fs::remove(host.powercap() / "intel-rapl:1" / "energy_uj");
    fs::create_directory(host.powercap() / "intel-rapl:1" / "energy_uj");  // root reads any file: a directory it cannot
    CHECK_THROWS_WITH(EnergyCollector(host.paths, kNever),
                      Catch::Matchers::Contains("intel-rapl:1/energy_uj: Is a directory") &&
                          Catch::Matchers::Contains("perf: ") && Catch::Matchers::Contains("is missing"));
  }
  SECTION("holding no number") {
    write(host.powercap() / "intel-rapl:0" / "energy_uj", "n/a");
    CHECK_THROWS_WITH(EnergyCollector(host.paths, kNever), Catch::Matchers::Contains("not a counter value: 'n/a'"));
  }
  SECTION("during a trial") {
    EnergyCollector energy(host.paths, kNever);
    energy.start({});
    fs::remove(host.powercap() / "intel-rapl:0" / "energy_uj");
    energy.stop();
    const auto r = energy.results();
    CHECK(r.metrics.empty());
    CHECK_THAT(test::unavailable_reason(r, "energy_j"), Catch::Matchers::Contains("reading RAPL failed") &&
                                                            Catch::Matchers::Contains("No such file"));
    CHECK_FALSE(test::unavailable_reason(r, "power_w.avg").empty());
  }
}

TEST_CASE("energy: no package zone and no power PMU say so", "[energy]") {
  FakeHost host;
  zone(host.powercap(), "intel-rapl:0", "psys", 0);
  CHECK_THROWS_WITH(EnergyCollector(host.paths, kNever),
                    Catch::Matchers::Contains("has no package zone, only intel-rapl:0 (psys)") &&
                        Catch::Matchers::Contains("power is missing (no RAPL perf PMU)"));
}

TEST_CASE("energy: the perf power PMU's energy-pkg is read from sysfs and opened per package", "[energy]") {
  FakeHost host;
  const fs::path pmu = host.paths.power_pmu;
  write(pmu / "type", "4242");  // no such PMU: perf_event_open fails, after the sysfs was understood
  write(pmu / "cpumask", "0");
  write(pmu / "events" / "energy-pkg", "event=0x02");
  write(pmu / "events" / "energy-pkg.scale", "2.3283064365386962890625e-10");
  SECTION("an event in Joules is opened") {
    write(pmu / "events" / "energy-pkg.unit", "Joules");
    CHECK_THROWS_WITH(EnergyCollector(host.paths, kNever), Catch::Matchers::Contains("perf_event_open(power/energy-pkg/, cpu 0)"));
  }
  SECTION("another unit is refused") {
    write(pmu / "events" / "energy-pkg.unit", "Watts");
    CHECK_THROWS_WITH(EnergyCollector(host.paths, kNever), Catch::Matchers::Contains("'Watts', not Joules"));
  }
}

TEST_CASE("energy: this host's RAPL, or why there is none", "[energy]") {
  const EnergyPaths host;
  const bool has_rapl = fs::exists(host.powercap) || fs::exists(host.power_pmu);
  if (!has_rapl) {
    // Virtual machines usually have neither: the reason names both places looked at.
    CHECK_THROWS_WITH(EnergyCollector(), Catch::Matchers::Contains("powercap: " + host.powercap) &&
                                             Catch::Matchers::Contains(host.power_pmu + " is missing"));
    return;
  }
  EnergyCollector energy;
  energy.start({});
  test::spin_for_ms(200);
  energy.stop();
  const auto r = energy.results();
  INFO(energy.source());
  CHECK(value_of(r, "energy_j") > 0);
  CHECK(value_of(r, "power_w.avg") > 0);
}

TEST_CASE("energy_per_op: average power over the workload's operation rate", "[energy]") {
  const Metric power{"power_w.avg", 50, "W", Direction::lower_is_better, "energy: powercap"};
  const Metric rps{"rps.avg", 1000, "req/s", Direction::higher_is_better, "workload"};
  SECTION("both known") {
    std::vector<Metric> metrics{power, rps};
    std::vector<Unavailable> unavailable;
    add_energy_per_op(metrics, unavailable, "rps.avg");
    REQUIRE(metrics.size() == 3);
    CHECK(metrics[2].name == "energy_per_op");
    CHECK(metrics[2].value == Approx(0.05));
    CHECK(metrics[2].unit == "J/op");
    CHECK(metrics[2].direction == Direction::lower_is_better);
    CHECK(metrics[2].source == "power_w.avg / rps.avg (req/s)");
    CHECK(unavailable.empty());
  }
  SECTION("no energy on this host: its reason is passed on") {
    std::vector<Metric> metrics{rps};
    std::vector<Unavailable> unavailable{{"power_w.avg", "no RAPL energy counters"}};
    add_energy_per_op(metrics, unavailable, "rps.avg");
    CHECK(metrics.size() == 1);
    CHECK(test::unavailable_reason({{}, {}, unavailable}, "energy_per_op") == "needs power_w.avg: no RAPL energy counters");
  }
  SECTION("a workload without an operation rate, or none measured") {
    std::vector<Metric> metrics{power, {"rps.avg", 0, "req/s", Direction::higher_is_better, "workload"}};
    std::vector<Unavailable> unavailable;
    add_energy_per_op(metrics, unavailable, "");
    add_energy_per_op(metrics, unavailable, "rps.avg");
    add_energy_per_op(metrics, unavailable, "fps.avg");
    REQUIRE(unavailable.size() == 3);
    CHECK(unavailable[0].reason == "the workload declares no operation rate");
    CHECK(unavailable[1].reason == "rps.avg was zero");
    CHECK(unavailable[2].reason == "needs fps.avg");
    CHECK(metrics.size() == 2);
  }
}
