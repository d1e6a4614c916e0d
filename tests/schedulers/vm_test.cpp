// The backends against a real sched_ext kernel. The [vm] case boots the VM lab once
// (scripts/vm/vm.sh) and runs itself inside the guest (SCXLAB_VM=1 there), where its
// sections drive scxlab's own schedulers (bpf/sched) through the scx backend and the kernel
// default's debugfs knobs through the kernel backend.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "../vm/vm_support.hpp"
#include "catch.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/kernel_backend.hpp"
#include "schedulers/scx_backend.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;

namespace {

using scxlab::schedulers::test::builtin_manifest;
using scxlab::schedulers::test::builtin_manifests;

std::string ext_enabled_of_self() {
  std::ifstream in("/proc/self/sched");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ext.enabled", 0) == 0) return host::trim(line.substr(line.find(':') + 1));
  }
  return "(no ext.enabled line)";
}

bool hackbench(int groups, int loops) {
  return host::run_command({"hackbench", "-g", std::to_string(groups), "-l", std::to_string(loops)}).status == 0;
}

// TCG on a busy host is slow: generous bounds, the same state machine.
Timing vm_timing() {
  Timing t;
  t.attach = std::chrono::seconds(60);
  t.signal_grace = std::chrono::seconds(10);
  t.disable = std::chrono::seconds(10);
  t.explain = std::chrono::seconds(5);
  return t;
}

std::unique_ptr<ScxProcessBackend> scx_backend(const std::string& name, Journal& journal) {
  return std::make_unique<ScxProcessBackend>(builtin_manifest(name), journal, BackendOptions{}, HostPaths{}, vm_timing());
}

void start_serve_stop(const std::string& name, const Config& config) {
  scxlab::schedulers::test::TempDir dir;
  Journal journal(dir / "journal.json");
  auto backend = scx_backend(name, journal);
  const auto seq_before = read_sched_ext_status().enable_seq;
  backend->start(config);
  const auto serving = read_sched_ext_status();
  CHECK(serving.state == "enabled");
  CHECK(serving.ops == name);
  CHECK(serving.enable_seq == seq_before + 1);
  CHECK(ext_enabled_of_self() == "1");  // this very task is on the BPF scheduler
  CHECK(hackbench(2, 50));
  const auto health = backend->check();
  INFO(health.reason);
  CHECK(health.serving);
  CHECK(backend->stop().empty());
  CHECK(read_sched_ext_status().state == "disabled");
  CHECK(ext_enabled_of_self() == "0");
  CHECK(journal.empty());
}

Health run_until_ejected(ScxProcessBackend& backend) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  for (;;) {
    const auto h = backend.check();
    if (!h.serving || std::chrono::steady_clock::now() > until) return h;
    hackbench(1, 20);  // enqueues, until the fault triggers
  }
}

void guest_serve() {
  REQUIRE(read_sched_ext_status().present);
  start_serve_stop("scxlab_fifo", parse_config("scxlab_fifo:slice_us=5000", builtin_manifests()));
  start_serve_stop("scxlab_vtime", parse_config("scxlab_vtime:--slice-us=3000,--lag-us=10000,--wakeup-preempt=false",
                                                builtin_manifests()));
}

void guest_faulty() {
  scxlab::schedulers::test::TempDir dir;
  Journal journal(dir / "journal.json");
  const std::pair<std::string, std::vector<std::string>> faults[] = {
      {"scxlab_faulty:error", {"disabled (scx_bpf_error)", "EXIT: scx_bpf_error"}},
      {"scxlab_faulty:stall", {"disabled (runnable task stall)", "EXIT: runnable task stall"}},
  };
  for (const auto& [spec, words] : faults) {
    INFO(spec);
    auto backend = scx_backend("scxlab_faulty", journal);
    backend->start(parse_config(spec, builtin_manifests()));
    const auto health = run_until_ejected(*backend);
    INFO(health.reason);
    CHECK_FALSE(health.serving);
    for (const auto& w : words) CHECK_THAT(health.reason, Catch::Contains(w));
    backend->stop();
    CHECK(read_sched_ext_status().state == "disabled");
  }
  CHECK(journal.empty());
  start_serve_stop("scxlab_fifo", parse_config("scxlab_fifo", builtin_manifests()));
}

void guest_second_refused() {
  scxlab::schedulers::test::TempDir dir;
  Journal journal(dir / "journal.json");
  auto first = scx_backend("scxlab_fifo", journal);
  first->start(parse_config("scxlab_fifo", builtin_manifests()));
  auto second = scx_backend("scxlab_vtime", journal);
  CHECK_THROWS_WITH(second->start(parse_config("scxlab_vtime", builtin_manifests())),
                    Catch::Contains("another BPF scheduler is loaded: ops 'scxlab_fifo' (state enabled), held by "));
  CHECK(first->check().serving);  // the refusal changed nothing
  CHECK(first->stop().empty());
  CHECK(journal.empty());
}

void guest_holder_killed() {
  scxlab::schedulers::test::TempDir dir;
  const auto [holder, scheduler] = scxlab::schedulers::test::start_in_holder([&] {
    auto& journal = *new Journal(dir / "journal.json");
    auto* backend = scx_backend("scxlab_vtime", journal).release();
    backend->start(parse_config("scxlab_vtime", builtin_manifests()));
    return backend->pid();
  });
  REQUIRE(read_sched_ext_status().state == "enabled");
  ::kill(holder, SIGKILL);  // mid-run, no destructor, no replay
  ::waitpid(holder, nullptr, 0);
  CHECK(host::exited_within(scheduler, std::chrono::seconds(30)));  // PR_SET_PDEATHSIG
  // The kernel unregisters the scheduler once its process is gone: poll its sysfs state.
  std::string state;
  for (int i = 0; i < 300 && (state = read_sched_ext_status().state) != "disabled"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(state == "disabled");
  Journal next(dir / "journal.json");
  REQUIRE_FALSE(next.empty());
  const auto lines = next.replay();
  bool named_it = false;
  for (const auto& l : lines) named_it = named_it || l.find("(pid " + std::to_string(scheduler) + "): already gone") != std::string::npos;
  CHECK(named_it);
  // And the next start works.
  start_serve_stop("scxlab_fifo", parse_config("scxlab_fifo", builtin_manifests()));
}

void guest_debugfs() {
  scxlab::schedulers::test::TempDir dir;
  Journal journal(dir / "journal.json");
  KernelBackend backend(builtin_manifest("eevdf"), journal);
  for (const auto& u : backend.unavailable_knobs()) FAIL("unavailable: " << u.name << ": " << u.reason);
  const std::map<std::string, std::string> want{
      {"base_slice_ns", "2000000"}, {"migration_cost_ns", "100000"}, {"nr_migrate", "16"}};
  std::map<std::string, std::string> before;
  for (const auto& [knob, value] : want) before[knob] = host::read_file(backend.knob_path(*builtin_manifest("eevdf").find_knob(knob))).text;
  std::printf("vm: default debugfs values: base_slice_ns=%s migration_cost_ns=%s nr_migrate=%s\n",
              host::trim(before["base_slice_ns"]).c_str(), host::trim(before["migration_cost_ns"]).c_str(),
              host::trim(before["nr_migrate"]).c_str());
  backend.start(Config{"eevdf", "eevdf", "", want, {}});
  for (const auto& [knob, value] : want) {
    INFO(knob);
    CHECK(host::trim(host::read_file(backend.knob_path(*builtin_manifest("eevdf").find_knob(knob))).text) == value);
  }
  CHECK(journal.entries().size() >= 3);
  CHECK(hackbench(2, 20));
  CHECK(backend.stop().empty());
  for (const auto& [knob, value] : want) {
    INFO(knob);
    CHECK(host::read_file(backend.knob_path(*builtin_manifest("eevdf").find_knob(knob))).text == before[knob]);
  }
  CHECK(journal.empty());
}

}  // namespace

TEST_CASE("the backends drive real sched_ext schedulers in the VM", "[vm]") {
  if (std::getenv("SCXLAB_VM")) {  // inside the guest
    SECTION("scxlab_fifo and scxlab_vtime start through the scx backend, serve hackbench, stop") { guest_serve(); }
    SECTION("scxlab_faulty is seen ejected with the kernel's reason; the next scheduler still starts") { guest_faulty(); }
    SECTION("a second scheduler is refused while one is loaded, naming the holder") { guest_second_refused(); }
    SECTION("SIGKILL of the process holding the backend leaves the kernel default in charge; the next start "
            "replays the journal") { guest_holder_killed(); }
    SECTION("debugfs knobs are writable here, written through the journal and restored") { guest_debugfs(); }
    return;
  }
  for (const char* name : {"scxlab_fifo", "scxlab_vtime", "scxlab_faulty"}) {
    INFO(name << " is not built: see the CMake warning (it needs scripts/vm/vm.sh fetch)");
    REQUIRE(std::filesystem::exists(scxlab::test::build_path(name)));
  }
  scxlab::test::TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  const auto run = scxlab::test::vm_run({"--tests", "--timeout", "1200"},
                                        {scxlab::test::build_path("tests/test_schedulers").string(),
                                         "the backends drive real sched_ext schedulers in the VM"},
                                        dir.path() / "results");
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("schedulers [vm]: one boot, %.0f s\n", seconds);
  INFO("guest output:\n" << run.out << "\nvm.sh:\n" << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("All tests passed"));
}
