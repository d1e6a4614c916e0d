#include "metrics/scx_stats.hpp"

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace scxlab::metrics {
namespace {

using Clock = std::chrono::steady_clock;

void flatten(const nlohmann::json& j, const std::string& name, std::vector<Metric>& out) {
  if (j.is_number()) {
    out.push_back({name, j.get<double>(), "", Direction::informational, "scx_stats"});
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) flatten(value, name + "." + key, out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], fmt::format("{}.{}", name, i), out);
  }
}

int connect_within(const std::string& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw ScxStatsError("scx_stats socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw ScxStatsError(std::string("socket: ") + std::strerror(errno));
  // A UNIX socket connects at once or, with the listener's backlog full, fails with EAGAIN.
  const auto deadline = Clock::now() + timeout;
  while (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    if (err != EAGAIN || Clock::now() > deadline) {
      close(fd);
      throw ScxStatsError(err == EAGAIN ? fmt::format("{} accepts no connection (waited {} ms)", path, timeout.count())
                                        : fmt::format("cannot connect to {}: {}", path, std::strerror(err)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return fd;
}

}  // namespace

ScxStatsClient::ScxStatsClient(const std::string& socket_path, std::chrono::milliseconds timeout)
    : path_(socket_path), timeout_(timeout) {
  fd_ = connect_within(socket_path, timeout);
}

ScxStatsClient::~ScxStatsClient() { close(fd_); }

std::string ScxStatsClient::read_line() {
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
      throw ScxStatsError(fmt::format("{}: no reply within {} ms", path_, timeout_.count()));
    }
    char buf[16384];
    const auto n = read(fd_, buf, sizeof buf);
    if (n == 0) throw ScxStatsError(path_ + ": the scheduler closed the connection");
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw ScxStatsError(path_ + ": " + std::strerror(errno));
    if (n > 0) buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

nlohmann::json ScxStatsClient::request(const nlohmann::json& req) {
  const auto line = req.dump() + "\n";
  pollfd p{fd_, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout_.count())) <= 0 ||
      send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    throw ScxStatsError(fmt::format("{}: sending the request failed: {}", path_, std::strerror(errno)));
  }
  const auto line_in = read_line();
  int err = 0;
  nlohmann::json resp;
  try {
    const auto reply = nlohmann::json::parse(line_in);
    err = reply.at("errno").get<int>();
    resp = reply.at("args").at("resp");
  } catch (const nlohmann::json::exception& e) {
    throw ScxStatsError(fmt::format("{}: not an scx_stats reply ({})", path_, e.what()));
  }
  if (err != 0) {
    throw ScxStatsError(fmt::format("{}: the scheduler answered errno {} ({}){}", path_, err, std::strerror(err),
                                    resp.is_string() ? ": " + resp.get<std::string>() : ""));
  }
  return resp;
}

nlohmann::json ScxStatsClient::meta() { return request({{"req", "stats_meta"}, {"args", nlohmann::json::object()}}); }

nlohmann::json ScxStatsClient::stats(const std::string& target) {
  return request({{"req", "stats"}, {"args", {{"target", target}}}});
}

std::vector<Metric> flatten_stats(const nlohmann::json& resp) {
  std::vector<Metric> out;
  flatten(resp, "scx", out);
  return out;
}

void ScxStatsCollector::start(const Target& target) {
  results_ = {};
  client_.reset();
  error_.clear();
  socket_ = target.scx_stats_socket;
  if (socket_.empty()) return;
  try {
    client_ = std::make_unique<ScxStatsClient>(socket_, timeout_);
    client_->meta();
    client_->stats();  // the baseline: later reads on this connection are deltas from here
  } catch (const ScxStatsError& e) {
    client_.reset();
    error_ = e.what();
  }
}

void ScxStatsCollector::stop() {
  Collected out;
  if (socket_.empty()) {
    out.unavailable.push_back({"scx.*", "this scheduler serves no scx_stats socket"});
  } else if (!client_) {
    out.unavailable.push_back({"scx.*", error_});
  } else {
    try {
      out.metrics = flatten_stats(client_->stats());
    } catch (const ScxStatsError& e) {
      out.unavailable.push_back({"scx.*", e.what()});
    }
  }
  client_.reset();
  results_ = std::move(out);
}

}  // namespace scxlab::metrics
