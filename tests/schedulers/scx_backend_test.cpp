// The scx process backend's state machine against a double of /sys/kernel/sched_ext (a
// temporary directory) driven by a fake scheduler script: real processes, signals, journal
// and PM QoS handling; the real kernel path is tested in the VM (vm_test.cpp).
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/scx_backend.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::read_text;
using scxlab::schedulers::test::TempDir;
using scxlab::schedulers::test::write_text;

namespace {

// Acts on the sysfs double like a sched_ext scheduler acts on the kernel.
const char* kFakeScheduler = R"SH(#!/bin/bash
root=$FAKE_SCX
grep -q "\"pid\": $$," "$FAKE_JOURNAL" || { echo "error: started before the journal named pid $$" >&2; exit 9; }
attach() {
  echo $(( $(cat $root/enable_seq) + 1 )) > $root/enable_seq
  mkdir -p $root/root; echo fake_1.2.3_x86_64 > $root/root/ops; echo enabled > $root/state
  echo '6,10,100,-;sched_ext: BPF scheduler "fake_1.2.3_x86_64" enabled' >> $FAKE_KMSG
}
detach() {
  echo disabled > $root/state; rm -rf $root/root
  echo "6,11,200,-;sched_ext: BPF scheduler \"fake_1.2.3_x86_64\" disabled ($1)" >> $FAKE_KMSG
  [ -z "$2" ] || echo "3,12,201,-;sched_ext: fake_1.2.3_x86_64: $2" >> $FAKE_KMSG
}
case "$2" in
  serve)
    trap 'detach "unregistered from user space"; echo "EXIT: unregistered from user space" >&2; exit 0' INT
    trap 'detach "scx_bpf_error" "boom at enqueue"; echo "EXIT: scx_bpf_error (boom at enqueue)" >&2; exit 1' USR1
    echo 100 > $FAKE_CPU/cpu0/power/pm_qos_resume_latency_us
    attach; echo "local=1 global=2"
    exec 3<> <(:); while :; do read -u 3; done ;;  # waits for signals, no child to leave behind
  never)
    exec sleep 1000 ;;
  fail)
    echo "libbpf: failed to load program 'fake_enqueue'" >&2; echo "Error: load failed" >&2; exit 1 ;;
  stubborn)
    echo 100 > $FAKE_CPU/cpu0/power/pm_qos_resume_latency_us
    trap '' INT TERM; attach; exec sleep 1000 ;;
esac
)SH";

Manifest fake_manifest() {
  Manifest m;
  m.name = "scx_fake";
  m.backend = BackendKind::scx;
  m.origin = "user";
  m.binary = "scx_fake";
  m.ops_prefix = "fake";
  Knob mode;
  mode.name = "mode";
  mode.flag = "--mode";
  mode.type = KnobKind::choice;
  mode.choices = {"serve", "never", "fail", "stubborn"};
  mode.target = "args";
  mode.scale = "linear";
  m.knobs.push_back(mode);
  return m;
}

Config with_mode(const std::string& mode) { return Config{"scx_fake", "scx_fake", "", {{"mode", mode}}, {}}; }

struct FakeHost {
  TempDir dir;
  HostPaths paths;
  Timing timing;
  std::string script;
  FakeHost() {
    paths.sched_ext = dir / "sched_ext";
    paths.kmsg = dir / "kmsg";
    paths.sysrq_trigger = dir / "sysrq-trigger";
    paths.cpu_sysfs = dir / "cpu";
    paths.proc = dir / "proc";
    write_text(paths.sched_ext + "/state", "disabled\n");
    write_text(paths.sched_ext + "/enable_seq", "7\n");
    write_text(paths.kmsg, "6,1,1,-;Linux version fake\n");
    write_text(paths.sysrq_trigger, "");
    write_text(paths.cpu_sysfs + "/cpu0/power/pm_qos_resume_latency_us", "0\n");
    write_text(paths.cpu_sysfs + "/cpu1/power/pm_qos_resume_latency_us", "n/a\n");
    script = dir / "scx_fake";
    write_text(script, kFakeScheduler);
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    ::setenv("FAKE_SCX", paths.sched_ext.c_str(), 1);
    ::setenv("FAKE_KMSG", paths.kmsg.c_str(), 1);
    ::setenv("FAKE_CPU", paths.cpu_sysfs.c_str(), 1);
    ::setenv("FAKE_JOURNAL", (dir / "journal.json").c_str(), 1);
    // Bounds, not durations: each wait ends as soon as its condition holds. They are generous
    // so that a machine with a load average of 10 (a bash trap that runs late) still passes;
    // the tests of the timeout paths shorten the one they exercise.
    timing.poll = std::chrono::milliseconds(20);
    timing.attach = std::chrono::seconds(120);
    timing.signal_grace = std::chrono::seconds(60);
    timing.disable = std::chrono::seconds(60);
  }
  std::string state() const { return host::trim(read_text(paths.sched_ext + "/state")); }
  std::string pm_qos(int cpu) const {
    return read_text(paths.cpu_sysfs + "/cpu" + std::to_string(cpu) + "/power/pm_qos_resume_latency_us");
  }
};

bool exits_within(pid_t pid, int ms) { return host::exited_within(pid, std::chrono::milliseconds(ms)); }

}  // namespace

TEST_CASE("scx backend: starts, verifies serving, stops with SIGINT and restores PM QoS") {
  FakeHost host;
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  backend.start(with_mode("serve"));
  CHECK(host.state() == "enabled");
  CHECK(backend.version() == "fake_1.2.3_x86_64");
  const auto health = backend.check();
  CHECK(health.serving);
  CHECK(health.state == "enabled");
  // The journal names the process and the PM QoS values as they were before the start.
  std::map<std::string, int> kinds;
  for (const auto& e : journal.entries()) ++kinds[e.kind];
  CHECK(kinds["process"] == 1);
  CHECK(kinds["file"] == 2);
  CHECK(host.pm_qos(0) == "100\n");  // the scheduler changed it

  const auto notes = backend.stop();
  CHECK(host.state() == "disabled");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "restored cpu0 pm_qos_resume_latency_us to '0' (the scheduler had left '100')");
  CHECK(host.pm_qos(0) == "0\n");
  CHECK(host.pm_qos(1) == "n/a\n");
  CHECK(journal.empty());
}

TEST_CASE("scx backend: an ejection is seen with the kernel's and the scheduler's reasons") {
  FakeHost host;
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  backend.start(with_mode("serve"));
  REQUIRE(::kill(backend.pid(), SIGUSR1) == 0);  // the fake scheduler hits scx_bpf_error()
  REQUIRE(exits_within(backend.pid(), 60000));
  const auto health = backend.check();
  CHECK_FALSE(health.serving);
  CHECK(health.state == "disabled");
  CHECK_THAT(health.reason, Catch::Contains("exited with status 1"));
  CHECK_THAT(health.reason, Catch::Contains("kernel: sched_ext: BPF scheduler \"fake_1.2.3_x86_64\" disabled (scx_bpf_error)"));
  CHECK_THAT(health.reason, Catch::Contains("kernel: sched_ext: fake_1.2.3_x86_64: boom at enqueue"));
  CHECK_THAT(health.reason, Catch::Contains("scheduler: EXIT: scx_bpf_error (boom at enqueue)"));
  backend.stop();
  CHECK(journal.empty());
}

TEST_CASE("scx backend: a silent re-attach (enable_seq jumped) counts as ejected") {
  FakeHost host;
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  backend.start(with_mode("serve"));
  write_text(host.paths.sched_ext + "/enable_seq", "99\n");
  const auto health = backend.check();
  CHECK_FALSE(health.serving);
  CHECK_THAT(health.reason, Catch::Contains("re-attached (enable_seq 8 -> 99)"));
  backend.stop();
}

TEST_CASE("scx backend: a scheduler that fails to load is reported with its stderr and cleaned up") {
  FakeHost host;
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  try {
    backend.start(with_mode("fail"));
    FAIL("start did not fail");
  } catch (const StartError& e) {
    CHECK_THAT(e.what(), Catch::Contains("exited with status 1 before serving"));
    CHECK_THAT(e.what(), Catch::Contains("libbpf: failed to load program 'fake_enqueue'"));
  }
  CHECK(journal.empty());
  CHECK(host.state() == "disabled");
}

TEST_CASE("scx backend: a scheduler that never attaches times out, and is stopped") {
  FakeHost host;
  host.timing.attach = std::chrono::milliseconds(300);
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  CHECK_THROWS_WITH(backend.start(with_mode("never")), Catch::Contains("did not attach within 300 ms (state disabled"));
  CHECK(journal.empty());
}

TEST_CASE("scx backend: refuses to start beside a loaded BPF scheduler, naming its ops") {
  FakeHost host;
  write_text(host.paths.sched_ext + "/state", "enabled\n");
  write_text(host.paths.sched_ext + "/root/ops", "lavd_1.1.2_x86_64_unknown_linux_gnu\n");
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  CHECK_THROWS_WITH(backend.start(with_mode("serve")),
                    Catch::Contains("another BPF scheduler is loaded: ops 'lavd_1.1.2_x86_64_unknown_linux_gnu'"));
  CHECK(journal.empty());
}

TEST_CASE("scx backend: refuses on a kernel without sched_ext") {
  FakeHost host;
  host.paths.sched_ext = host.dir / "absent";
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  CHECK_THROWS_WITH(backend.start(with_mode("serve")), Catch::Contains("this kernel has no sched_ext"));
}

TEST_CASE("scx backend: a scheduler ignoring SIGINT and SIGTERM is killed, then SysRq-S, all reported") {
  FakeHost host;
  host.timing.signal_grace = std::chrono::milliseconds(300);  // it ignores them whatever the wait
  host.timing.disable = std::chrono::milliseconds(300);       // nobody detaches in the double
  Journal journal(host.dir / "journal.json");
  ScxProcessBackend backend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
  backend.start(with_mode("stubborn"));
  const pid_t pid = backend.pid();
  const auto notes = backend.stop();
  CHECK_FALSE(host::process_start_time(pid).has_value());
  REQUIRE(notes.size() >= 3);
  CHECK_THAT(notes[0], Catch::Contains("stopped by SIGKILL after ignoring SIGINT and SIGTERM"));
  // Nobody detaches in the double, so SysRq-S was tried and the failure is said plainly.
  CHECK(read_text(host.paths.sysrq_trigger) == "S");
  CHECK_THAT(notes[1], Catch::Contains("still 'enabled' even after SysRq-S") && Catch::Contains("NOT back"));
  CHECK_THAT(notes[2], Catch::Contains("restored") && Catch::Contains("'100'"));
  CHECK(journal.empty());
}

TEST_CASE("scx backend: the scheduler dies with the process that started it (PR_SET_PDEATHSIG)") {
  FakeHost host;
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);  // the orphaned scheduler comes to us
  const auto [owner, scheduler] = scxlab::schedulers::test::start_in_holder([&] {
    auto& journal = *new Journal(host.dir / "journal.json");
    auto* backend = new ScxProcessBackend(fake_manifest(), journal, {}, host.paths, host.timing, host.script);
    backend->start(with_mode("serve"));
    return backend->pid();
  });
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  int status = 0;
  REQUIRE(::waitpid(scheduler, &status, 0) == scheduler);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);  // the parent-death signal
  Journal next(host.dir / "journal.json");
  const auto lines = next.replay();
  bool saw_process = false;
  for (const auto& l : lines) saw_process = saw_process || l.find("pid " + std::to_string(scheduler)) != std::string::npos;
  CHECK(saw_process);
  CHECK(host.pm_qos(0) == "0\n");  // the crashed run's PM QoS change is undone by the replay
}
