// The scx_loader backend against a fake org.scx.Loader served over a real peer-to-peer DBus
// connection (a socket pair; no system bus or scx_loader exists here). The fake answers like
// scx_loader and moves a sysfs double, which is all the backend believes.
#include <atomic>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "catch.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/loader_backend.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::read_text;
using scxlab::schedulers::test::TempDir;
using scxlab::schedulers::test::write_text;

namespace {

struct FakeLoader {
  std::string sched_ext;
  std::vector<std::string> calls;  // "StartSchedulerWithArgs scx_lavd --performance ..." / "StopScheduler"
  bool attach = true;              // whether starting makes the double "enabled"
};

int on_start(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* fake = static_cast<FakeLoader*>(userdata);
  const char* name = nullptr;
  sd_bus_message_read(m, "s", &name);
  char** args = nullptr;
  sd_bus_message_read_strv(m, &args);
  std::string call = std::string("StartSchedulerWithArgs ") + name;
  for (char** a = args; a && *a; ++a) {
    call += std::string(" ") + *a;
    free(*a);
  }
  free(args);
  fake->calls.push_back(call);
  if (fake->attach) {
    write_text(fake->sched_ext + "/enable_seq", "2\n");
    write_text(fake->sched_ext + "/root/ops", "lavd_1.1.2_x86_64_unknown_linux_gnu\n");
    write_text(fake->sched_ext + "/state", "enabled\n");
  }
  return sd_bus_reply_method_return(m, "");
}

int on_stop(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* fake = static_cast<FakeLoader*>(userdata);
  fake->calls.push_back("StopScheduler");
  write_text(fake->sched_ext + "/state", "disabled\n");
  return sd_bus_reply_method_return(m, "");
}

const sd_bus_vtable kLoaderVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("StartSchedulerWithArgs", "sas", "", on_start, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopScheduler", "", "", on_stop, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

// The fake loader's end of a socket pair, served by a thread until destruction.
class PeerBus {
 public:
  explicit PeerBus(FakeLoader& fake) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    client_fd_ = fds[1];
    sd_id128_t id;
    REQUIRE(sd_id128_randomize(&id) >= 0);
    REQUIRE(sd_bus_new(&server_) >= 0);
    REQUIRE(sd_bus_set_fd(server_, fds[0], fds[0]) >= 0);
    REQUIRE(sd_bus_set_server(server_, 1, id) >= 0);
    REQUIRE(sd_bus_add_object_vtable(server_, nullptr, kLoaderPath, kLoaderInterface, kLoaderVtable, &fake) >= 0);
    REQUIRE(sd_bus_start(server_) >= 0);
    thread_ = std::thread([this] {
      while (!done_) {
        if (sd_bus_process(server_, nullptr) > 0) continue;
        sd_bus_wait(server_, 20000);
      }
    });
  }
  ~PeerBus() {
    done_ = true;
    thread_.join();
    sd_bus_flush_close_unref(server_);
  }
  // A connected client bus, as the backend's bus factory returns it.
  sd_bus* client() {
    sd_bus* bus = nullptr;
    REQUIRE(sd_bus_new(&bus) >= 0);
    REQUIRE(sd_bus_set_fd(bus, client_fd_, client_fd_) >= 0);
    REQUIRE(sd_bus_start(bus) >= 0);
    return bus;
  }

 private:
  int client_fd_ = -1;
  sd_bus* server_ = nullptr;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

const Manifest& lavd() { return scxlab::schedulers::test::builtin_manifest("scx_lavd"); }

struct Setup {
  TempDir dir;
  HostPaths paths;
  Timing timing;
  FakeLoader fake;
  Setup() {
    paths.sched_ext = dir / "sched_ext";
    paths.kmsg = dir / "kmsg";
    paths.sysrq_trigger = dir / "sysrq";
    paths.cpu_sysfs = dir / "cpu";
    paths.proc = dir / "proc";  // absent: the host's own sysctls stay out of these tests
    write_text(paths.sched_ext + "/state", "disabled\n");
    write_text(paths.sched_ext + "/enable_seq", "1\n");
    write_text(paths.kmsg, "");
    timing.poll = std::chrono::milliseconds(20);
    timing.attach = std::chrono::milliseconds(500);
    timing.disable = std::chrono::milliseconds(500);
    fake.sched_ext = paths.sched_ext;
  }
};

}  // namespace

TEST_CASE("scx_loader backend: StartSchedulerWithArgs carries the binary and the built args, sysfs decides") {
  Setup s;
  PeerBus bus(s.fake);
  Journal journal(s.dir / "journal.json");
  BackendOptions o;
  o.via_scx_loader = true;
  {
    LoaderBackend backend(lavd(), journal, o, s.paths, s.timing, [&] { return bus.client(); });
    backend.start(Config{"scx_lavd", "scx_lavd:gaming", "gaming", {}, {}});
    REQUIRE(s.fake.calls.size() == 1);
    CHECK(s.fake.calls[0] == "StartSchedulerWithArgs scx_lavd --performance --pinned-slice-us 500");
    REQUIRE(journal.entries().size() == 1);
    CHECK(journal.entries()[0].kind == "scx_loader");
    CHECK(backend.check().serving);
    CHECK(backend.version() == "lavd_1.1.2_x86_64_unknown_linux_gnu");
    CHECK(backend.stop().empty());
    CHECK(s.fake.calls.back() == "StopScheduler");
    CHECK(journal.empty());
  }
}

TEST_CASE("scx_loader backend: a loader that accepts the call but attaches nothing fails the start") {
  Setup s;
  s.fake.attach = false;
  PeerBus bus(s.fake);
  Journal journal(s.dir / "journal.json");
  LoaderBackend backend(lavd(), journal, {}, s.paths, s.timing, [&] { return bus.client(); });
  CHECK_THROWS_WITH(backend.start(Config{"scx_lavd", "scx_lavd", "", {}, {}}),
                    Catch::Contains("did not start serving") && Catch::Contains("did not attach within 500 ms"));
  CHECK(s.fake.calls.back() == "StopScheduler");  // cleaned up through the loader
  CHECK(journal.empty());
}

TEST_CASE("scx_loader backend: no system bus here is reported plainly") {
  Setup s;
  Journal journal(s.dir / "journal.json");
  LoaderBackend backend(lavd(), journal, {}, s.paths, s.timing);
  if (::access("/run/dbus/system_bus_socket", F_OK) == 0) return;  // a host with a system bus: nothing to show
  CHECK_THROWS_WITH(backend.start(Config{"scx_lavd", "scx_lavd", "", {}, {}}),
                    Catch::Contains("cannot connect to the DBus system bus"));
  CHECK(journal.empty());
}
