// The scx_stats client and collector against a local server speaking the protocol, run in a
// thread of the test: newline-delimited JSON requests {"req":..., "args":{string: string}} and
// replies {"errno":N, "args":{"resp":...}}, as scx_stats' server.rs does; its stats_meta reply
// has the shape of scx_stats' StatsMeta.
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "metrics/scx_stats.hpp"
#include "support.hpp"

using namespace scxlab;
using namespace scxlab::metrics;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kNever = std::chrono::hours(24);   // a sampling interval that never elapses in a test
constexpr auto kPatient = std::chrono::seconds(60);  // a bound for waits that succeed much sooner

enum class Behaviour {
  normal,       // answers deltas since the previous read on the connection
  errno_reply,  // fails every stats request with errno 22
  lavd,         // one reader: a new connection makes the older ones fail
  silent,       // accepts and reads, never answers
  hang_up,      // closes every connection at its first stats request, without a reply
  late,         // holds its reply to the second stats request until released
};

std::string socket_path() {
  return (std::filesystem::temp_directory_path() / ("scxlab-stats-" + std::to_string(getpid()) + ".sock")).string();
}

sockaddr_un address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  return addr;
}

// What a scheduler that exited (or is restarting) leaves behind: a socket file nobody
// listens on, so connecting is refused.
void leave_stale_socket(const std::string& path) {
  std::filesystem::remove(path);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const auto addr = address(path);
  REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  close(fd);
}

// Every struct the fake scheduler describes, in the StatsMeta format.
json fake_meta() {
  const auto field = [](json kind, const char* desc) {
    json f = {{"datum", kind}};
    if (*desc) f["desc"] = desc;
    return f;
  };
  json masks = {{"array", "u64"}, {"user", {{"_om_skip", "true"}}}};
  json layers = {{"dict", {{"key", "string"}, {"datum", {{"struct", "LayerStats"}}}}}, {"desc", "per-layer statistics"}};
  return {{"SysStats",
           {{"name", "SysStats"},
            {"top", "true"},
            {"fields",
             {{"at_us", field("u64", "timestamp")},
              {"mseq", field("u64", "Sequence ID of this message")},
              {"nr_dispatched", field("u64", "Number of task dispatches")},
              {"nr_running", field("u64", "Number of running tasks")},
              {"busy_pct", field("float", "CPU busy % (100% means all CPU)")},
              {"slice_us", field("u64", "scheduling slice in usecs")},
              {"mode", field("string", "current mode")},
              {"masks", masks},
              {"layers", layers}}}}},
          {"LayerStats",
           {{"name", "LayerStats"},
            {"user", {{"_om_label", "layer_name"}}},
            {"fields",
             {{"util", field("float", "CPU utilization (100% means one CPU)")},
              {"tasks", field("u64", "number of tasks")},
              {"total", field("u64", "count of sched events during the period")}}}}}};
}

class FakeScxServer {
 public:
  explicit FakeScxServer(Behaviour b, std::string path = socket_path()) : behaviour_(b), path_(std::move(path)) {
    std::filesystem::remove(path_);  // as scx_stats' server does before binding: a stale file goes
    listen_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto addr = address(path_);
    if (bind(listen_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_, 8) != 0 ||
        pipe(stop_) != 0 || pipe(wake_) != 0) {
      throw std::runtime_error("cannot set up the fake scx_stats server");
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeScxServer() {
    if (write(stop_[1], "x", 1) != 1) std::terminate();
    thread_.join();
    for (const auto& [fd, c] : clients_) close(fd);
    close(listen_);
    close(stop_[0]);
    close(stop_[1]);
    close(wake_[0]);
    close(wake_[1]);
    if (!leave_file_) std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }
  int requests_seen() const { return requests_; }
  int stats_answered() const { return answered_; }
  bool holding() const { return holding_; }
  void release() {
    if (write(wake_[1], "r", 1) != 1) std::terminate();
  }
  // Goes away as a restarting scheduler's server does: its socket file stays, stale.
  void leave_file_when_gone() { leave_file_ = true; }

 private:
  struct Client {
    std::string buffer;
    bool preempted = false;
  };

  void serve() {
    for (;;) {
      std::vector<pollfd> fds{{stop_[0], POLLIN, 0}, {listen_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      for (const auto& [fd, c] : clients_) fds.push_back({fd, POLLIN, 0});
      poll(fds.data(), fds.size(), -1);
      if (fds[0].revents) return;
      if (fds[1].revents) accept_one();
      if (fds[2].revents) send_held();
      for (std::size_t i = 3; i < fds.size(); ++i) {
        if (fds[i].revents) read_from(fds[i].fd);
      }
    }
  }

  void accept_one() {
    const int fd = accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
    if (behaviour_ == Behaviour::lavd) {
      for (auto& [other, c] : clients_) c.preempted = true;
    }
    clients_[fd] = {};
  }

  void drop(int fd) {
    close(fd);
    clients_.erase(fd);
  }

  void read_from(int fd) {
    char buf[4096];
    const auto n = read(fd, buf, sizeof buf);
    if (n <= 0) return drop(fd);
    auto& c = clients_[fd];
    c.buffer.append(buf, static_cast<std::size_t>(n));
    for (auto nl = c.buffer.find('\n'); nl != std::string::npos; nl = c.buffer.find('\n')) {
      const auto req = json::parse(c.buffer.substr(0, nl));
      c.buffer.erase(0, nl + 1);
      ++requests_;
      if (behaviour_ == Behaviour::hang_up && req.at("req") == "stats") return drop(fd);
      if (behaviour_ == Behaviour::silent) continue;
      auto a = answer(c, req);
      if (req.at("req") == "stats" && ++stats_seen_ == 2 && behaviour_ == Behaviour::late) {
        held_ = {fd, std::move(a)};
        holding_ = true;
      } else {
        send_reply(fd, a);
      }
    }
  }

  json answer(const Client& c, const json& req) {
    // server.rs deserialises args as a map of strings: anything else is a client bug.
    const auto args = req.contains("args") ? req.at("args") : json::object();
    for (const auto& [k, v] : args.items()) {
      if (!v.is_string()) return error(22, "invalid type: args must map strings to strings");
    }
    const auto what = req.at("req").get<std::string>();
    if (what == "stats_meta") return ok(fake_meta());
    if (what != "stats") return error(22, "unknown command");
    if (behaviour_ == Behaviour::errno_reply) return error(22, "unknown stat target");
    if (c.preempted) return error(22, "preempted by another sampler");
    // 10 dispatches between two reads, whatever the time: a counter's total is 10 x reads.
    return ok({{"at_us", std::uint64_t{1'800'000'000'000'000}}, {"mseq", requests_.load()}, {"nr_dispatched", 10},
               {"nr_running", 3}, {"busy_pct", 42.5}, {"slice_us", 20000}, {"mode", "performance"},
               {"masks", {255, 3}}, {"layers", {{"batch", {{"util", 1.5}, {"tasks", 4}, {"total", 7}}}}}});
  }

  void send_held() {
    char byte;
    if (read(wake_[0], &byte, 1) != 1 || !holding_) return;
    holding_ = false;
    send_reply(held_.first, held_.second);
  }
  void send_reply(int fd, const json& j) {
    if (j.at("errno") == 0 && j.at("args").at("resp").contains("nr_dispatched")) ++answered_;
    reply(fd, j);
  }

  static json ok(const json& resp) { return {{"errno", 0}, {"args", {{"resp", resp}}}}; }
  static json error(int err, const std::string& why) { return {{"errno", err}, {"args", {{"resp", why}}}}; }
  static void reply(int fd, const json& j) {
    const auto line = j.dump() + "\n";
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) return;  // the client left
  }

  Behaviour behaviour_;
  std::string path_;
  bool leave_file_ = false;
  int listen_ = -1;
  int stop_[2] = {-1, -1};
  int wake_[2] = {-1, -1};
  std::map<int, Client> clients_;
  std::atomic<int> requests_{0}, answered_{0};
  int stats_seen_ = 0;
  std::atomic<bool> holding_{false};
  std::pair<int, json> held_;
  std::thread thread_;
};

Collected trial(ScxStatsCollector& c, const std::string& socket) {
  c.start({getpid(), socket});
  c.stop();
  return c.results();
}

std::string source_of(const Collected& c, const std::string& name) {
  for (const auto& m : c.metrics) {
    if (m.name == name) return m.source;
  }
  return "";
}

// Runs `work` on a thread of its own and, once that thread sleeps between connection attempts
// (so it has tried and failed at least once), `then` on this one; returns what `work` gave.
template <typename Work>
auto while_retrying(Work work, const std::function<void()>& then) {
  std::atomic<pid_t> tid{0};
  auto result = std::async(std::launch::async, [&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    return work();
  });
  const auto deadline = std::chrono::steady_clock::now() + kPatient;
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("the connecting thread never waited to retry");
    long nr = -1;
    if (tid != 0) std::ifstream("/proc/self/task/" + std::to_string(tid) + "/syscall") >> nr;
    if (nr == SYS_clock_nanosleep || nr == SYS_nanosleep) break;  // connect() failed: it waits
    std::this_thread::yield();
  }
  then();
  return result.get();
}

}  // namespace

TEST_CASE("scx_stats: the meta decides what a field is, and timestamps, identifiers and _om_skip are dropped", "[scx_stats]") {
  FakeScxServer server(Behaviour::normal);
  ScxStatsClient client(server.path(), 1000ms);
  const auto meta = client.meta();
  REQUIRE(meta.contains("SysStats"));
  std::map<std::string, StatsField> by_name;
  for (auto& f : describe_stats(meta, client.stats())) by_name[f.name] = f;

  CHECK(by_name.at("scx.at_us").kind == StatsFieldKind::dropped);
  CHECK(by_name.at("scx.at_us").description == "dropped: a timestamp");
  CHECK(by_name.at("scx.mseq").kind == StatsFieldKind::dropped);
  CHECK(by_name.at("scx.mseq").description == "dropped: an identifier");
  CHECK(by_name.at("scx.masks.0").kind == StatsFieldKind::dropped);
  CHECK_THAT(by_name.at("scx.masks.1").description, Catch::Matchers::Contains("_om_skip"));

  const auto& dispatched = by_name.at("scx.nr_dispatched");
  CHECK(dispatched.kind == StatsFieldKind::counter);
  CHECK(dispatched.unit == "count");
  CHECK(dispatched.description == "Number of task dispatches");
  CHECK(by_name.at("scx.nr_running").kind == StatsFieldKind::gauge);  // a population, not events
  CHECK(by_name.at("scx.busy_pct").kind == StatsFieldKind::gauge);
  CHECK(by_name.at("scx.busy_pct").unit == "%");
  CHECK(by_name.at("scx.slice_us").kind == StatsFieldKind::gauge);  // a setting the scheduler adapts
  CHECK(by_name.at("scx.slice_us").unit == "us");
  CHECK(by_name.count("scx.mode") == 0);  // strings are not numbers
  // A dict of structs: each member described by its struct's meta.
  CHECK(by_name.at("scx.layers.batch.util").kind == StatsFieldKind::gauge);
  CHECK(by_name.at("scx.layers.batch.tasks").kind == StatsFieldKind::gauge);
  CHECK(by_name.at("scx.layers.batch.total").kind == StatsFieldKind::counter);
  CHECK(by_name.at("scx.layers.batch.total").value == 7);
}

TEST_CASE("scx_stats: without a meta, names and value types decide", "[scx_stats]") {
  const json resp = {{"at_us", 5}, {"cpu_id", 1}, {"nr_events", 3}, {"util", 0.5}, {"sub", {{"lb_at_us", 9}, {"x", 2.5}}}};
  std::map<std::string, StatsFieldKind> kinds;
  for (const auto& f : describe_stats(nullptr, resp)) kinds[f.name] = f.kind;
  CHECK(kinds == std::map<std::string, StatsFieldKind>{{"scx.at_us", StatsFieldKind::dropped},
                                                       {"scx.cpu_id", StatsFieldKind::dropped},
                                                       {"scx.nr_events", StatsFieldKind::counter},
                                                       {"scx.util", StatsFieldKind::gauge},
                                                       {"scx.sub.lb_at_us", StatsFieldKind::dropped},
                                                       {"scx.sub.x", StatsFieldKind::gauge}});
}

TEST_CASE("scx_stats: a trial's metrics are counters' totals and gauges' means, with units and descriptions", "[scx_stats]") {
  FakeScxServer server(Behaviour::normal);
  ScxStatsCollector collector(1000ms, kNever);
  const auto r = trial(collector, server.path());  // meta, baseline, final: one read counted
  CHECK(r.unavailable.empty());
  CHECK(test::metric(r, "scx.nr_dispatched") == 10);
  CHECK(source_of(r, "scx.nr_dispatched") == "scx_stats (total over the trial): Number of task dispatches");
  CHECK(test::metric(r, "scx.busy_pct") == Approx(42.5));
  CHECK(source_of(r, "scx.busy_pct") == "scx_stats (mean of 1 reads): CPU busy % (100% means all CPU)");
  CHECK(test::metric(r, "scx.layers.batch.util") == Approx(1.5));
  for (const auto& m : r.metrics) {
    INFO(m.name);
    CHECK(m.direction == Direction::informational);
    CHECK(m.value < 1e6);  // no timestamps, no sequence numbers
  }
  CHECK_FALSE(test::has_metric(r, "scx.at_us"));
  CHECK_FALSE(test::has_metric(r, "scx.mseq"));
  CHECK_FALSE(test::has_metric(r, "scx.masks.0"));
}

TEST_CASE("scx_stats: reads during the trial: counters summed, gauges averaged", "[scx_stats]") {
  FakeScxServer server(Behaviour::normal);
  ScxStatsCollector collector(1000ms, 5ms);
  collector.start({getpid(), server.path()});
  const auto deadline = std::chrono::steady_clock::now() + kPatient;
  while (server.requests_seen() < 6) {  // meta, baseline, and at least 4 reads by the sampler
    if (std::chrono::steady_clock::now() > deadline) FAIL("the collector did not read during the trial");
    std::this_thread::yield();
  }
  collector.stop();
  const auto r = collector.results();
  const int reads = server.requests_seen() - 2;
  CHECK(reads >= 5);  // the sampler's and the final one
  CHECK(test::metric(r, "scx.nr_dispatched") == 10 * reads);
  CHECK(test::metric(r, "scx.busy_pct") == Approx(42.5));
  CHECK(source_of(r, "scx.busy_pct") == fmt::format("scx_stats (mean of {} reads): CPU busy % (100% means all CPU)", reads));
}

TEST_CASE("scx_stats: a reply that comes after the timeout is read before the next one", "[scx_stats]") {
  FakeScxServer server(Behaviour::late);
  ScxStatsClient client(server.path(), 50ms);
  const int first = client.stats().at("mseq");
  CHECK_THROWS_AS(client.stats(), ScxStatsTimeout);  // held by the server until released
  CHECK(client.reply_pending());
  CHECK_THROWS_WITH(client.stats(), Catch::Matchers::Contains("still pending"));
  server.release();
  const auto late = client.late_reply();
  CHECK(late.at("mseq") == first + 1);  // the held reply, not a newer one
  CHECK_FALSE(client.reply_pending());
  CHECK(client.stats().at("mseq") == first + 2);
}

TEST_CASE("scx_stats: a late read during the trial is counted, not lost", "[scx_stats]") {
  FakeScxServer server(Behaviour::late);
  ScxStatsCollector collector(500ms, 5ms);  // the product's default timeout
  collector.start({getpid(), server.path()});
  const auto deadline = std::chrono::steady_clock::now() + kPatient;
  while (!server.holding()) {  // the sampler's first read, which the server holds
    if (std::chrono::steady_clock::now() > deadline) FAIL("the collector did not read during the trial");
    std::this_thread::yield();
  }
  server.release();
  collector.stop();
  const auto r = collector.results();
  INFO(test::unavailable_reason(r, "scx.*"));
  const int reads = server.stats_answered() - 1;  // all but the baseline
  CHECK(reads >= 2);
  CHECK(test::metric(r, "scx.nr_dispatched") == 10 * reads);
  CHECK(source_of(r, "scx.busy_pct") == fmt::format("scx_stats (mean of {} reads): CPU busy % (100% means all CPU)", reads));
}

TEST_CASE("scx_stats: an errno reply is an error naming the scheduler's reason", "[scx_stats]") {
  FakeScxServer server(Behaviour::errno_reply);
  ScxStatsClient client(server.path(), 1000ms);
  CHECK_THROWS_WITH(client.stats(), Catch::Matchers::Contains("errno 22") &&
                                        Catch::Matchers::Contains("unknown stat target"));
  ScxStatsCollector collector(1000ms, kNever);
  const auto r = trial(collector, server.path());
  CHECK(r.metrics.empty());
  CHECK_THAT(test::unavailable_reason(r, "scx.*"), Catch::Matchers::Contains("unknown stat target"));
}

TEST_CASE("scx_stats: a lavd-style server fails the older reader, one connection per trial is fine", "[scx_stats]") {
  FakeScxServer server(Behaviour::lavd);
  {
    ScxStatsClient first(server.path(), 1000ms);
    first.stats();
    ScxStatsClient second(server.path(), 1000ms);
    second.stats();
    CHECK_THROWS_WITH(first.stats(), Catch::Matchers::Contains("preempted by another sampler"));
  }
  ScxStatsCollector collector(1000ms, kNever);
  for (int i = 0; i < 3; ++i) {
    const auto r = trial(collector, server.path());
    CHECK(test::has_metric(r, "scx.nr_dispatched"));
    CHECK(r.unavailable.empty());
  }
  collector.start({getpid(), server.path()});
  ScxStatsClient other_reader(server.path(), 1000ms);  // someone else starts sampling mid-trial
  other_reader.stats();
  collector.stop();
  CHECK_THAT(test::unavailable_reason(collector.results(), "scx.*"), Catch::Matchers::Contains("preempted"));
}

TEST_CASE("scx_stats: a server that never answers times out", "[scx_stats]") {
  FakeScxServer server(Behaviour::silent);
  ScxStatsClient client(server.path(), 100ms);
  CHECK_THROWS_WITH(client.stats(), Catch::Matchers::Contains("no reply within 100 ms"));
  ScxStatsCollector collector(100ms, kNever);
  const auto r = trial(collector, server.path());
  CHECK_THAT(test::unavailable_reason(r, "scx.*"), Catch::Matchers::Contains("no reply"));
}

TEST_CASE("scx_stats: no socket, or none configured, is unavailable with the reason", "[scx_stats]") {
  ScxStatsCollector collector(100ms, kNever);
  const auto missing = test::unavailable_reason(trial(collector, "/nonexistent/scx/stats"), "scx.*");
  CHECK_THAT(missing, Catch::Matchers::Contains("No such file") && Catch::Matchers::Contains("waited 100 ms"));
  CHECK_THAT(test::unavailable_reason(trial(collector, ""), "scx.*"), Catch::Matchers::Contains("no scx_stats"));
  leave_stale_socket(socket_path());
  CHECK_THAT(test::unavailable_reason(trial(collector, socket_path()), "scx.*"),
             Catch::Matchers::Contains("Connection refused") && Catch::Matchers::Contains("stale"));
  std::filesystem::remove(socket_path());
}

TEST_CASE("scx_stats: a socket that appears after the client started waiting is connected to", "[scx_stats]") {
  const auto path = socket_path();
  std::filesystem::remove(path);
  std::unique_ptr<FakeScxServer> server;
  const auto resp = while_retrying([&] { return ScxStatsClient(path, kPatient).stats(); },
                                   [&] { server = std::make_unique<FakeScxServer>(Behaviour::normal, path); });
  CHECK(resp.at("nr_dispatched") == 10);
}

TEST_CASE("scx_stats: a stale socket file is retried until the new server replaces it", "[scx_stats]") {
  const auto path = socket_path();
  leave_stale_socket(path);
  std::unique_ptr<FakeScxServer> server;
  const auto resp = while_retrying([&] { return ScxStatsClient(path, kPatient).stats(); },
                                   [&] { server = std::make_unique<FakeScxServer>(Behaviour::normal, path); });
  CHECK(resp.at("busy_pct") == 42.5);
}

TEST_CASE("scx_stats: a scheduler that restarts mid-trial: reconnected once, gauges kept, counters reported reset",
          "[scx_stats]") {
  const auto path = socket_path();
  auto before = std::make_unique<FakeScxServer>(Behaviour::normal, path);
  ScxStatsCollector collector(kPatient, kNever);
  collector.start({getpid(), path});
  before->leave_file_when_gone();
  before.reset();  // the BPF side restarts: the stats server goes, its socket file stays
  std::unique_ptr<FakeScxServer> after;
  while_retrying([&] { collector.stop(); return 0; },
                 [&] { after = std::make_unique<FakeScxServer>(Behaviour::normal, path); });
  const auto r = collector.results();
  CHECK(test::metric(r, "scx.busy_pct") == Approx(42.5));
  CHECK_THAT(source_of(r, "scx.busy_pct"), Catch::Matchers::Contains("across a scheduler restart"));
  CHECK_FALSE(test::has_metric(r, "scx.nr_dispatched"));
  CHECK_THAT(test::unavailable_reason(r, "scx.nr_dispatched"),
             Catch::Matchers::Contains("restarted during the trial") && Catch::Matchers::Contains("from zero"));
  CHECK(test::unavailable_reason(r, "scx.*").empty());

  // The next trial is an ordinary one again.
  const auto next = trial(collector, path);
  CHECK(test::metric(next, "scx.nr_dispatched") == 10);
}

TEST_CASE("scx_stats: a connection closed again after the reconnection gives up for the trial", "[scx_stats]") {
  const auto path = socket_path();
  auto before = std::make_unique<FakeScxServer>(Behaviour::normal, path);
  ScxStatsCollector collector(kPatient, kNever);
  collector.start({getpid(), path});
  before.reset();
  FakeScxServer after(Behaviour::hang_up, path);
  collector.stop();
  const auto r = collector.results();
  CHECK(r.metrics.empty());
  CHECK_THAT(test::unavailable_reason(r, "scx.*"), Catch::Matchers::Contains("did not serve again") &&
                                                       Catch::Matchers::Contains("closed the connection"));
}

// The rule on the replies of the real upstream schedulers (tests/metrics/data/scx_stats): every
// numeric field is listed as dropped or a gauge, or else must be a counter.
TEST_CASE("scx_stats: the fields of the real schedulers' replies are classified as they behave", "[scx_stats]") {
  struct Expected {
    const char* scheduler;
    std::set<std::string> dropped, gauges;  // field paths without the "scx." prefix
  };
  const std::set<std::string> rusty_gauges = {
      "cpu_busy",  "load",    "slice_us",     "sync_prev_idle", "wake_sync",    "prev_idle",    "greedy_idle",
      "pinned",    "direct",  "greedy",       "greedy_far",     "dsq_dispatch", "greedy_local", "greedy_xnuma",
      "kick_greedy", "repatriate", "dl_clamp", "dl_preset"};
  const Expected expected[] = {
      {"scx_rusty", {"at_us", "lb_at_us", "direct_greedy_cpus.0", "kick_greedy_cpus.0"}, rusty_gauges},
      {"scx_bpfland", {}, {"nr_running", "nr_cpus"}},
      {"scx_flash", {}, {"nr_running", "nr_cpus"}},
      {"scx_p2dq", {}, {}},
      {"scx_cosmos", {}, {}},
      // scx_lavd's nr_sched and nr_preempt come out as counters, though they are running counts
      // that scx_lavd halves every 2 s, not deltas: nothing in the meta tells them apart.
      {"scx_lavd", {"mseq"}, {"nr_queued_task", "nr_active", "nr_stealee", "pc_pc", "pc_lc", "pc_x_migration",
                              "pc_big", "pc_pc_on_big", "pc_lc_on_big", "pc_performance", "pc_balanced", "pc_powersave"}},
  };
  for (const auto& e : expected) {
    const auto dir = std::filesystem::path(SCXLAB_SOURCE_DIR) / "tests/metrics/data/scx_stats" / e.scheduler;
    const auto meta = json::parse(std::ifstream(dir / "meta.json"));
    const auto resp = json::parse(std::ifstream(dir / "stats-after.json"));
    std::set<std::string> dropped, gauges;
    for (const auto& f : describe_stats(meta, resp)) {
      const auto name = f.name.substr(4);
      INFO(e.scheduler << ": " << name << " (" << f.description << ")");
      CHECK_FALSE(f.description.empty());  // every field of theirs is described
      if (f.kind == StatsFieldKind::dropped) dropped.insert(name);
      if (f.kind == StatsFieldKind::gauge) gauges.insert(name);
      if (f.kind == StatsFieldKind::counter) CHECK(f.unit == (name == "time_used" ? "" : "count"));
      if (f.kind != StatsFieldKind::dropped) CHECK(f.value < 1e12);  // no timestamps left
    }
    INFO(e.scheduler);
    CHECK(dropped == e.dropped);
    CHECK(gauges == e.gauges);
  }
}
