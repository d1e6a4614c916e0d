// The kernel default backend on this very host: real debugfs, real sysctl.

#include "catch.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/kernel_backend.hpp"
#include "schedulers/mounts.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::TempDir;

namespace {

const Manifest& eevdf() { return scxlab::schedulers::test::builtin_manifest("eevdf"); }

bool debugfs_mounted() { return is_mounted("/proc/self/mounts", "/sys/kernel/debug", "debugfs"); }

bool debugfs_sched_refused() {
  const auto r = host::read_file("/sys/kernel/debug/sched/base_slice_ns");
  return !r.ok && r.err == EPERM;
}

const std::string kAutogroup = "/proc/sys/kernel/sched_autogroup_enabled";

}  // namespace

TEST_CASE("the kernel default is named after the running kernel") {
  const auto name = default_scheduler_name();
  CHECK((name == "eevdf" || name == "cfs"));
}

TEST_CASE("debugfs knobs this host refuses are reported unavailable with the reason, and debugfs is left as found") {
  const bool was_mounted = debugfs_mounted();
  TempDir dir;
  Journal journal(dir / "journal.json");
  {
    KernelBackend backend(eevdf(), journal);
    CHECK(debugfs_mounted());  // mounted to probe, if it was not
    if (!was_mounted) {
      REQUIRE(journal.entries().size() == 1);
      CHECK(journal.entries()[0].kind == "mount");
    }
    const bool refused = debugfs_sched_refused();
    const auto unavailable = backend.unavailable_knobs();
    std::map<std::string, std::string> why;
    for (const auto& u : unavailable) why[u.name] = u.reason;
    CHECK(why.count("autogroup") == 0);  // the sysctl is writable here
    if (refused) {  // this development host: debugfs sched files answer EPERM
      for (const char* knob : {"base_slice_ns", "migration_cost_ns", "nr_migrate"}) {
        INFO(knob);
        REQUIRE(why.count(knob) == 1);
        CHECK_THAT(why[knob], Catch::Contains("/sys/kernel/debug/sched/") && Catch::Contains("EPERM"));
      }
      // Asking for a refused knob fails the start, naming the knob: never a silent no-op.
      CHECK_THROWS_WITH(backend.start(Config{"eevdf", "eevdf", "", {{"base_slice_ns", "3000000"}}, {}}),
                        Catch::Contains("knob base_slice_ns cannot be set on this host") && Catch::Contains("EPERM"));
    } else {
      CHECK(why.count("base_slice_ns") == 0);
    }
    CHECK(backend.stop().empty());
  }
  CHECK(debugfs_mounted() == was_mounted);
  CHECK(journal.empty());
}

TEST_CASE("the autogroup sysctl is written through the journal and restored on stop") {
  const auto before = host::read_file(kAutogroup);
  REQUIRE(before.ok);
  const std::string flipped = host::trim(before.text) == "1" ? "0" : "1";
  TempDir dir;
  Journal journal(dir / "journal.json");
  KernelBackend backend(eevdf(), journal);
  const auto baseline = journal.entries().size();  // a debugfs mount, perhaps
  backend.start(Config{"eevdf", "eevdf", "", {{"autogroup", flipped}}, {}});
  CHECK(host::trim(host::read_file(kAutogroup).text) == flipped);
  REQUIRE(journal.entries().size() == baseline + 1);
  CHECK(journal.entries().back().path == kAutogroup);
  CHECK(journal.entries().back().old_value == before.text);
  CHECK(backend.check().serving);
  CHECK(backend.stop().empty());
  CHECK(host::read_file(kAutogroup).text == before.text);
  CHECK(journal.empty());
}

TEST_CASE("a crash while the sysctl is changed is undone by the journal") {
  const auto before = host::read_file(kAutogroup);
  const std::string flipped = host::trim(before.text) == "1" ? "0" : "1";
  TempDir dir;
  {
    Journal journal(dir / "journal.json");
    journal.will_write_file(kAutogroup, before.text);
    REQUIRE(host::write_file(kAutogroup, flipped).ok);
  }  // "crash": nobody restored it
  Journal next(dir / "journal.json");
  const auto lines = next.replay();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "restored " + kAutogroup + " to '" + host::trim(before.text) + "'");
  CHECK(host::read_file(kAutogroup).text == before.text);
}

TEST_CASE("per-role task attributes go to the workload, not to the host") {
  TempDir dir;
  Journal journal(dir / "journal.json");
  KernelBackend backend(eevdf(), journal);
  const Config c{"eevdf", "eevdf", "", {{"render_nice", "-5"}, {"audio_policy", "fifo"}, {"input_slice_us", "300"}}, {}};
  CHECK(backend.workload_params(c) ==
        std::map<std::string, std::string>{{"render_nice", "-5"}, {"audio_policy", "fifo"}, {"input_slice_us", "300"}});
  const auto entries = journal.entries().size();
  backend.start(c);
  CHECK(journal.entries().size() == entries);  // nothing on the host changed
  CHECK_THROWS_WITH(backend.workload_params(Config{"eevdf", "eevdf", "", {{"render_nice", "-25"}}, {}}),
                    Catch::Contains("render_nice=-25 is outside its range [-20, 19]"));
  backend.stop();
}
