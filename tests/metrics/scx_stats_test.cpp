// The scx_stats client against a local server speaking the protocol, run in a thread of the
// test: newline-delimited JSON requests {"req":..., "args":{string: string}} and replies
// {"errno":N, "args":{"resp":...}}, as scx_stats' server.rs does.
#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
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

enum class Behaviour {
  normal,       // answers deltas since the previous read on the connection
  errno_reply,  // fails every stats request with errno 22
  lavd,         // one reader: a new connection makes the older ones fail
  silent,       // accepts and reads, never answers
};

class FakeScxServer {
 public:
  explicit FakeScxServer(Behaviour b)
      : behaviour_(b),
        path_((std::filesystem::temp_directory_path() / ("scxlab-stats-" + std::to_string(getpid()) + ".sock")).string()) {
    std::filesystem::remove(path_);
    listen_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_, 8) != 0 || pipe(stop_) != 0) {
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
    std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }
  int requests_seen() const { return requests_; }

 private:
  struct Client {
    std::string buffer;
    std::uint64_t previous = 0;  // the counter at the previous read: replies are deltas
    bool preempted = false;
  };

  void serve() {
    for (;;) {
      std::vector<pollfd> fds{{stop_[0], POLLIN, 0}, {listen_, POLLIN, 0}};
      for (const auto& [fd, c] : clients_) fds.push_back({fd, POLLIN, 0});
      poll(fds.data(), fds.size(), -1);
      if (fds[0].revents) return;
      if (fds[1].revents) accept_one();
      for (std::size_t i = 2; i < fds.size(); ++i) {
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

  void read_from(int fd) {
    char buf[4096];
    const auto n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      close(fd);
      clients_.erase(fd);
      return;
    }
    auto& c = clients_[fd];
    c.buffer.append(buf, static_cast<std::size_t>(n));
    for (auto nl = c.buffer.find('\n'); nl != std::string::npos; nl = c.buffer.find('\n')) {
      const auto line = c.buffer.substr(0, nl);
      c.buffer.erase(0, nl + 1);
      ++requests_;
      if (behaviour_ != Behaviour::silent) reply(fd, answer(c, json::parse(line)));
    }
  }

  json answer(Client& c, const json& req) {
    // server.rs deserialises args as a map of strings: anything else is a client bug.
    const auto args = req.contains("args") ? req.at("args") : json::object();
    for (const auto& [k, v] : args.items()) {
      if (!v.is_string()) return error(22, "invalid type: args must map strings to strings");
    }
    const auto what = req.at("req").get<std::string>();
    if (what == "stats_meta") {
      return ok({{"SysStats", {{"name", "SysStats"}, {"top", "true"},
                               {"fields", {{"nr_dispatched", {{"datum", "u64"}, {"desc", "tasks dispatched"}}}}}}}});
    }
    if (what != "stats") return error(22, "unknown command");
    if (behaviour_ == Behaviour::errno_reply) return error(22, "unknown stat target");
    if (c.preempted) return error(22, "preempted by another sampler");
    const std::uint64_t now = 1000 + 10 * static_cast<std::uint64_t>(requests_);
    const auto delta = now - c.previous;
    c.previous = now;
    return ok({{"nr_dispatched", delta}, {"busy_pct", 42.5}, {"mode", "performance"},
               {"layers", {{"batch", {{"util", 1.5}}}}}, {"cpu_busy", {3, 4}}});
  }

  static json ok(const json& resp) { return {{"errno", 0}, {"args", {{"resp", resp}}}}; }
  static json error(int err, const std::string& why) { return {{"errno", err}, {"args", {{"resp", why}}}}; }
  static void reply(int fd, const json& j) {
    const auto line = j.dump() + "\n";
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) return;  // the client left
  }

  Behaviour behaviour_;
  std::string path_;
  int listen_ = -1;
  int stop_[2] = {-1, -1};
  std::map<int, Client> clients_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

Collected trial(ScxStatsCollector& c, const std::string& socket) {
  c.start({getpid(), socket});
  c.stop();
  return c.results();
}

}  // namespace

TEST_CASE("scx_stats: a normal reply becomes scx.* metrics", "[scx_stats]") {
  FakeScxServer server(Behaviour::normal);
  ScxStatsClient client(server.path(), 1000ms);
  CHECK(client.meta().contains("SysStats"));
  client.stats();                                    // the baseline
  const auto metrics = flatten_stats(client.stats());  // a delta since the baseline
  std::map<std::string, double> by_name;
  for (const auto& m : metrics) by_name[m.name] = m.value;
  CHECK(by_name.at("scx.nr_dispatched") == 10);
  CHECK(by_name.at("scx.busy_pct") == 42.5);
  CHECK(by_name.at("scx.layers.batch.util") == 1.5);
  CHECK(by_name.at("scx.cpu_busy.1") == 4);
  CHECK(by_name.count("scx.mode") == 0);  // strings are not metrics

  ScxStatsCollector collector(1000ms);
  const auto r = trial(collector, server.path());
  CHECK(test::metric(r, "scx.nr_dispatched") == 10);  // meta, baseline, final: one delta
  CHECK(r.unavailable.empty());
}

TEST_CASE("scx_stats: an errno reply is an error naming the scheduler's reason", "[scx_stats]") {
  FakeScxServer server(Behaviour::errno_reply);
  ScxStatsClient client(server.path(), 1000ms);
  CHECK_THROWS_WITH(client.stats(), Catch::Matchers::Contains("errno 22") &&
                                        Catch::Matchers::Contains("unknown stat target"));
  ScxStatsCollector collector(1000ms);
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
  ScxStatsCollector collector(1000ms);
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
  ScxStatsCollector collector(100ms);
  const auto r = trial(collector, server.path());
  CHECK_THAT(test::unavailable_reason(r, "scx.*"), Catch::Matchers::Contains("no reply"));
}

TEST_CASE("scx_stats: no socket, or none configured, is unavailable with the reason", "[scx_stats]") {
  ScxStatsCollector collector(100ms);
  CHECK_THAT(test::unavailable_reason(trial(collector, "/nonexistent/scx/stats"), "scx.*"),
             Catch::Matchers::Contains("No such file"));
  CHECK_THAT(test::unavailable_reason(trial(collector, ""), "scx.*"), Catch::Matchers::Contains("no scx_stats"));
}
