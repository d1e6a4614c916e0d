// A BPF scheduler that scxlab did not start: found, named with its process and how to stop it,
// and never mistaken for the kernel default. Against doubles of /proc and /sys/kernel/sched_ext;
// the real kernel path is the [vm] shootout test (tests/harness/vm_test.cpp).
#include <algorithm>

#include "catch.hpp"
#include "schedulers/foreign.hpp"
#include "schedulers/kernel_backend.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::TempDir;
using scxlab::schedulers::test::write_text;

namespace {

// A process in a /proc double with one fd whose fdinfo is `fdinfo`.
void add_process(const TempDir& dir, int pid, const std::string& comm, const std::string& fdinfo,
                 const std::string& cgroup = "0::/user.slice\n", const std::string& cmdline = "") {
  const std::string root = dir / ("proc/" + std::to_string(pid));
  write_text(root + "/comm", comm + "\n");
  write_text(root + "/cmdline", cmdline.empty() ? comm + std::string(1, '\0') : cmdline);
  write_text(root + "/cgroup", cgroup);
  write_text(root + "/fdinfo/3", "pos:\t0\nflags:\t02000002\n");
  write_text(root + "/fdinfo/4", fdinfo);
}

const char* const kStructOpsMap = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1\nmap_type:\t26\nkey_size:\t4\n";
const char* const kStructOpsLink = "pos:\t0\nflags:\t02000000\nmnt_id:\t15\nino:\t1\nlink_type:\tstruct_ops\nlink_id:\t7\n";
const char* const kArrayMap = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1\nmap_type:\t2\nkey_size:\t4\n";

struct FakeSchedExt {
  TempDir dir;
  std::string root = dir / "sched_ext";
  FakeSchedExt() { set("disabled", "", 4); }
  void set(const std::string& state, const std::string& ops, int enable_seq) const {
    write_text(root + "/state", state + "\n");
    write_text(root + "/enable_seq", std::to_string(enable_seq) + "\n");
    write_text(root + "/root/ops", ops + "\n");
  }
};

Config eevdf_config() { return Config{"eevdf", "eevdf", "", {}, {}}; }

}  // namespace

TEST_CASE("the holders of a struct_ops map or link are found, with their comm and manager unit") {
  TempDir dir;
  add_process(dir, 412, "scx_simple", kStructOpsMap);
  add_process(dir, 77, "scx_rusty", kStructOpsLink, "0::/system.slice/scx.service\n");
  add_process(dir, 90, "bash", kArrayMap);
  write_text(dir / "proc/self/comm", "not a pid\n");
  auto holders = struct_ops_holders(dir / "proc");
  std::sort(holders.begin(), holders.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  REQUIRE(holders.size() == 2);
  CHECK(holders[0].pid == 77);
  CHECK(holders[0].comm == "scx_rusty");
  CHECK(holders[0].unit == "scx.service");
  CHECK(holders[1].pid == 412);
  CHECK(holders[1].comm == "scx_simple");
  CHECK(holders[1].unit.empty());
}

TEST_CASE("a scheduler run through a dynamic loader is named by its command line") {
  TempDir dir;
  using namespace std::string_literals;
  add_process(dir, 203, "ld-linux-x86-64", kStructOpsLink, "0::/\n",
              "/opt/scx/lib/ld-linux-x86-64.so.2\0--library-path\0/opt/scx/lib\0/opt/scx/bin/scx_rusty\0"s);
  const auto holders = struct_ops_holders(dir / "proc");
  REQUIRE(holders.size() == 1);
  const auto line = describe_foreign_scheduler({true, "enabled", "rusty_1.1.2", 2}, holders);
  CHECK_THAT(line, Catch::Contains("/opt/scx/bin/scx_rusty (pid 203)"));
}

TEST_CASE("a foreign scheduler is described in one line: ops, process, and how to stop it") {
  SchedExtStatus s{true, "enabled", "simple", 3};
  const auto by_hand = describe_foreign_scheduler(s, {{412, "scx_simple", "scx_simple", ""}});
  CHECK(by_hand.find('\n') == std::string::npos);
  CHECK_THAT(by_hand, Catch::Contains("ops 'simple'") && Catch::Contains("scx_simple (pid 412)") &&
                          Catch::Contains("kill -INT 412"));
  const auto managed = describe_foreign_scheduler(s, {{77, "scx_rusty", "/usr/bin/scx_rusty", "scx.service"}});
  CHECK_THAT(managed, Catch::Contains("systemctl stop scx.service") && Catch::Contains("--take-over"));
  const auto unseen = describe_foreign_scheduler(s, {});
  CHECK_THAT(unseen, Catch::Contains("no process holds it") && Catch::Contains("sysrq-trigger"));
}

TEST_CASE("claiming sched_ext refuses a loaded scheduler scxlab did not start, and passes a free one") {
  FakeSchedExt host;
  Journal journal(host.dir / "journal.json");
  add_process(host.dir, 412, "scx_simple", kStructOpsLink);
  const ClaimPaths paths{host.root, host.dir / "proc", std::chrono::milliseconds(0)};
  CHECK_NOTHROW(claim_sched_ext(journal, {}, paths));
  host.set("enabled", "simple", 5);
  CHECK_THROWS_AS(claim_sched_ext(journal, {}, paths), ForeignScheduler);
  CHECK_THROWS_WITH(claim_sched_ext(journal, {}, paths),
                    Catch::Contains("another BPF scheduler is loaded: ops 'simple'") && Catch::Contains("pid 412"));
  CHECK(journal.empty());
  // No sched_ext at all (this development host): nothing to claim.
  CHECK_NOTHROW(claim_sched_ext(journal, {}, {host.dir / "absent", host.dir / "proc", std::chrono::milliseconds(0)}));
}

TEST_CASE("the kernel default refuses to start while a BPF scheduler is loaded, naming it") {
  FakeSchedExt host;
  host.set("enabled", "simple", 5);
  add_process(host.dir, 412, "scx_simple", kStructOpsMap);
  Journal journal(host.dir / "journal.json");
  KernelPaths paths;
  paths.sched_ext = host.root;
  paths.proc = host.dir / "proc";
  KernelBackend backend(scxlab::schedulers::test::builtin_manifest("eevdf"), journal, paths);
  CHECK_THROWS_WITH(backend.start(eevdf_config()), Catch::Contains("ops 'simple'") && Catch::Contains("scx_simple"));
}

TEST_CASE("a trial of the kernel default during which another scheduler served fails its check") {
  FakeSchedExt host;
  Journal journal(host.dir / "journal.json");
  KernelPaths paths;
  paths.sched_ext = host.root;
  paths.proc = host.dir / "proc";
  KernelBackend backend(scxlab::schedulers::test::builtin_manifest("eevdf"), journal, paths);
  backend.start(eevdf_config());
  CHECK(backend.check().serving);

  SECTION("still loaded after the trial") {
    host.set("enabled", "simple", 5);
    const auto health = backend.check();
    CHECK_FALSE(health.serving);
    CHECK(health.displaced);
    CHECK_THAT(health.reason, Catch::Contains("ops 'simple'"));
  }
  SECTION("loaded and gone again within the trial: enable_seq moved") {
    host.set("disabled", "", 6);
    const auto health = backend.check();
    CHECK_FALSE(health.serving);
    CHECK(health.displaced);
    CHECK_THAT(health.reason, Catch::Contains("enable_seq 4 -> 6"));
    CHECK(backend.check().serving);  // the next trial starts from the new enable_seq
  }
  backend.stop();
}
