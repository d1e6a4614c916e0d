#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "metrics/proc_collector.hpp"
#include "support.hpp"

using namespace scxlab;
using namespace scxlab::metrics;

namespace {

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text)
      : path(std::filesystem::temp_directory_path() / ("scxlab-proc-" + std::to_string(getpid()))) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("/proc/stat and PSI formats are parsed", "[proc]") {
  {
    TempFile stat("cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 1 2 3 4 5 6 7 8 9 0\n");
    const auto t = read_cpu_times(stat.path.string());
    REQUIRE(t);
    CHECK(t->total == 100 + 5 + 50 + 800 + 20 + 3 + 2 + 10);  // guest time is inside user already
    CHECK(t->busy == t->total - 800 - 20);
  }
  {
    TempFile psi("some avg10=0.00 avg60=0.10 avg300=0.05 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=789\n");
    const auto p = read_cpu_pressure(psi.path.string());
    REQUIRE(p);
    CHECK(p->some_us == 123456);
    CHECK(p->full_us == 789);
  }
  {
    TempFile old_kernel("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");  // before 5.13: no "full"
    CHECK(read_cpu_pressure(old_kernel.path.string())->full_us == 0);
  }
  CHECK_FALSE(read_cpu_pressure("/nonexistent/pressure/cpu"));
}

TEST_CASE("schedstat sums a process's threads and skips a zombie", "[proc]") {
  const auto self = read_process_schedstat(getpid());
  CHECK(self.run_ns > 0);
  CHECK(self.timeslices > 0);

  int ready[2], go[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(go) == 0);
  const pid_t child = fork();
  if (child == 0) {
    char c = 'r';
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(1);
    test::spin_for_ms(5);
    _exit(0);
  }
  close(go[0]);
  char c;
  REQUIRE(read(ready[0], &c, 1) == 1);
  CHECK(read_process_schedstat(child).timeslices > 0);  // alive: it has run
  REQUIRE(write(go[1], "g", 1) == 1);
  close(go[1]);
  siginfo_t info{};
  REQUIRE(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);  // a zombie now
  CHECK(read_process_schedstat(child).timeslices == 0);  // whoever wants it took it at exit
  waitpid(child, nullptr, 0);
  CHECK(read_process_schedstat(child).timeslices == 0);  // gone
  close(ready[0]);
  close(ready[1]);
}

TEST_CASE("schedstat arithmetic saturates", "[proc]") {
  Schedstat a{10, 20, 3};
  a += Schedstat{1, 2, 1};
  CHECK(a.run_ns == 11);
  const auto d = Schedstat{5, 5, 5} - a;
  CHECK(d.run_ns == 0);
  CHECK(d.timeslices == 1);
}

TEST_CASE("the proc collector reports utilisation and PSI, or says why not", "[proc]") {
  ProcCollector proc;
  test::HeldChild root([] { test::spin_for_ms(30); });
  proc.start({root.pid(), ""});
  root.release_and_wait();
  proc.stop();
  const auto r = proc.results();
  if (read_cpu_pressure()) {
    CHECK(test::metric(r, "psi.cpu_some_ms") >= 0);
  } else {
    CHECK_FALSE(test::unavailable_reason(r, "psi.cpu_*").empty());
  }
  if (!test::has_metric(r, "system.cpu_util_pct")) {  // possible when the trial is shorter than a tick
    CHECK_FALSE(test::unavailable_reason(r, "system.cpu_util_pct").empty());
  }
  if (read_mean_cpu_freq_mhz()) {
    CHECK(test::metric(r, "cpu_freq_mhz") > 0);
  } else {  // this host and most VMs
    CHECK_THAT(test::unavailable_reason(r, "cpu_freq_mhz"), Catch::Matchers::Contains("cpufreq"));
  }
}
