#include "metrics/scx_stats.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "metrics/periodic.hpp"

namespace scxlab::metrics {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// ---------------------------------------------------------------- connecting

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw ScxStatsError("scx_stats socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  return addr;
}

// A connected socket, or -errno.
int try_connect(const sockaddr_un& addr) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw ScxStatsError(std::string("socket: ") + std::strerror(errno));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return fd;
  const int err = errno;
  close(fd);
  return -err;
}

// What a connect error means while a scheduler may still be coming up.
bool may_come_up(int err) { return err == ENOENT || err == ECONNREFUSED || err == EAGAIN; }

std::string not_serving(const std::string& path, int err) {
  switch (err) {
    case ENOENT: return fmt::format("{}: No such file or directory (the scheduler has not created it)", path);
    case ECONNREFUSED: return fmt::format("{}: Connection refused (a stale socket file: nobody listens on it)", path);
    case EAGAIN: return fmt::format("{}: accepts no connection (its backlog is full)", path);
    default: return fmt::format("cannot connect to {}: {}", path, std::strerror(err));
  }
}

// Polls until the server accepts or the deadline passes: the waits double from 1 ms to 50 ms,
// so a socket that appears soon is found soon and a missing one costs few attempts.
int connect_within(const std::string& path, std::chrono::milliseconds timeout) {
  const auto addr = address_of(path);
  const auto deadline = Clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    const int fd = try_connect(addr);
    if (fd >= 0) return fd;
    const auto now = Clock::now();
    if (!may_come_up(-fd) || now >= deadline) {
      throw ScxStatsError(may_come_up(-fd) ? fmt::format("{} (waited {} ms)", not_serving(path, -fd), timeout.count())
                                           : not_serving(path, -fd));
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

// ---------------------------------------------------------------- describing fields

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has_word(const std::string& text, const std::string& word) {
  const auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const auto end = at + word.size();
    if ((at == 0 || !is_word(text[at - 1])) && (end == text.size() || !is_word(text[end]))) return true;
  }
  return false;
}

bool has_any_word(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return has_word(text, w); });
}

// The name's '_'-separated parts, as words: "nr_queued_task" has "queued".
std::string name_words(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// What the meta says about one field; empty when it says nothing.
struct FieldMeta {
  std::string desc;
  bool om_skip = false;
  std::string type;  // "u64", "i64", "float", "" (a struct, or no meta)
};

FieldMeta field_meta(const json* field) {
  FieldMeta m;
  if (!field || !field->is_object()) return m;
  m.desc = field->value("desc", "");
  m.om_skip = field->contains("user") && field->at("user").is_object() && field->at("user").contains("_om_skip");
  for (const char* shape : {"datum", "array"}) {
    if (field->contains(shape) && field->at(shape).is_string()) m.type = field->at(shape).get<std::string>();
  }
  if (field->contains("dict") && field->at("dict").value("datum", json()).is_string()) {
    m.type = field->at("dict").at("datum").get<std::string>();
  }
  return m;
}

std::optional<std::string> why_dropped(const std::string& name, const FieldMeta& m) {
  static const std::regex timestamp_name("(^|.*_)at(_(ns|us|ms|s))?$");
  static const std::regex identifier_name("(^|.*_)(id|pid|tid|index|m?seq)$");
  if (m.om_skip) return "dropped: its scheduler marks it _om_skip (not a metric)";
  if (has_word(lower(m.desc), "timestamp") || std::regex_match(name, timestamp_name)) return "dropped: a timestamp";
  if (has_word(m.desc, "ID") || has_any_word(lower(m.desc), {"index", "sequence", "identifier"}) ||
      std::regex_match(name, identifier_name)) {
    return "dropped: an identifier";
  }
  return std::nullopt;
}

// A level: a share or a utilisation over the read's period, an average, a population ("Number
// of running tasks", "# of NUMA nodes", but not "Number of times ..." nor "Number of tasks
// dispatched ..."), or a setting the scheduler adapts (its slice).
bool is_level(const std::string& name, const std::string& desc) {
  static const std::regex population(
      "^(number|amount|count|#) of (?!times\\b)(\\S+ ){0,2}(tasks|cpus|cores|domains|nodes|cells|layers|llcs)"
      "($|[^a-z]|\\s+(?!\\w+ed\\b))");
  return desc.find('%') != std::string::npos || std::regex_search(desc, population) ||
         has_any_word(desc, {"percent", "utilization", "average", "currently", "slice"}) ||
         has_any_word(name_words(name), {"util", "load", "avg", "ewma", "frac", "ratio", "slice"});
}

// A count of events, which the scheduler answers as a delta since the previous read.
bool counts_events(const std::string& desc) {
  for (const char* start : {"number of", "#", "count of", "amount of"}) {
    if (desc.rfind(start, 0) == 0) return true;
  }
  return has_any_word(desc, {"events", "during the period"}) || desc.find("time spent") != std::string::npos;
}

// The rule where the meta gives no kind (it never does): drop timestamps and identifiers, then
// levels are gauges, counts of events are counters, and otherwise integers are counters and
// floats gauges, as the upstream schedulers' fields are (their structs' integers are mostly
// `nr_*` event counts, their floats percentages and loads).
StatsFieldKind classify(const std::string& name, const FieldMeta& m, bool integer) {
  if (why_dropped(name, m)) return StatsFieldKind::dropped;
  const auto desc = lower(m.desc);
  if (is_level(name, desc)) return StatsFieldKind::gauge;
  if (counts_events(desc) || integer) return StatsFieldKind::counter;
  return StatsFieldKind::gauge;
}

std::string unit_of(const std::string& name, const std::string& desc, StatsFieldKind kind) {
  static const std::regex time_suffix(".*_(ns|us|ms)$");
  std::smatch suffix;
  if (desc.find('%') != std::string::npos) return "%";
  if (std::regex_match(name, suffix, time_suffix)) return suffix[1];
  const auto d = lower(desc);
  if (has_word(d, "usecs")) return "us";
  if (has_word(d, "msecs")) return "ms";
  if (has_word(d, "nsecs")) return "ns";
  return kind == StatsFieldKind::counter && !has_word(d, "time") ? "count" : "";
}

StatsField leaf(const std::string& path, const std::string& name, const FieldMeta& m, const json& value) {
  const bool integer = m.type.empty() ? value.is_number_integer() : m.type != "float";
  StatsField f{path, value.get<double>(), classify(name, m, integer), "", m.desc};
  if (f.kind == StatsFieldKind::dropped) {
    f.description = *why_dropped(name, m);
  } else {
    f.unit = unit_of(name, m.desc, f.kind);
  }
  return f;
}

class Describer {
 public:
  Describer(const json& meta, std::vector<StatsField>& out) : meta_(meta), out_(out) {}

  // A struct's fields; `smeta` is its meta (null when unknown).
  void structure(const json* smeta, const json& value, const std::string& path) {
    const json* fields = smeta && smeta->contains("fields") ? &smeta->at("fields") : nullptr;
    for (const auto& [key, v] : value.items()) {
      const json* field = fields && fields->contains(key) ? &fields->at(key) : nullptr;
      member(field, key, v, path + "." + key);
    }
  }

  void member(const json* field, const std::string& name, const json& v, const std::string& path) {
    if (v.is_number()) {
      out_.push_back(leaf(path, name, field_meta(field), v));
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) element(field, name, v[i], fmt::format("{}.{}", path, i));
    } else if (v.is_object() && field && field->contains("dict")) {
      for (const auto& [key, e] : v.items()) element(field, name, e, path + "." + key);
    } else if (v.is_object()) {
      structure(struct_meta(field, "datum"), v, path);
    }
  }

 private:
  // One member of an array or dict: a struct, or a number described by the field itself.
  void element(const json* field, const std::string& name, const json& e, const std::string& path) {
    if (e.is_object()) structure(struct_meta(field, field && field->contains("dict") ? "dict" : "array"), e, path);
    else if (e.is_number()) out_.push_back(leaf(path, name, field_meta(field), e));
  }

  // The meta of the struct a field holds: {"datum":{"struct":S}}, {"array":{"struct":S}} or
  // {"dict":{"key":K,"datum":{"struct":S}}}.
  const json* struct_meta(const json* field, const char* shape) const {
    if (!field || !field->contains(shape)) return nullptr;
    const auto& kind = std::string(shape) == "dict" ? field->at(shape).value("datum", json()) : field->at(shape);
    if (!kind.is_object() || !kind.contains("struct") || !meta_.is_object()) return nullptr;
    const auto name = kind.at("struct").get<std::string>();
    return meta_.contains(name) ? &meta_.at(name) : nullptr;
  }

  const json& meta_;
  std::vector<StatsField>& out_;
};

// The struct a "top" reply is: a top struct whose fields hold every key of the reply (scx_lavd
// marks two structs top), else any struct that does.
const json* top_struct(const json& meta, const json& resp) {
  if (!meta.is_object() || !resp.is_object()) return nullptr;
  const json* fitting = nullptr;
  for (const auto& [name, s] : meta.items()) {
    if (!s.is_object() || !s.contains("fields") || !s.at("fields").is_object()) continue;
    const bool fits = std::all_of(resp.items().begin(), resp.items().end(),
                                  [&](const auto& kv) { return s.at("fields").contains(kv.key()); });
    if (!fits) continue;
    if (s.contains("top")) return &s;
    if (!fitting) fitting = &s;
  }
  return fitting;
}

// ---------------------------------------------------------------- one trial

// A field's reads over one trial.
struct Totals {
  StatsFieldKind kind = StatsFieldKind::gauge;
  std::string unit, description;
  double sum = 0;               // counter: the reads' deltas
  double value_seconds = 0;     // gauge: value x seconds since the previous read
  double seconds = 0;
  int reads = 0;
};

std::string with_description(const std::string& how, const std::string& description) {
  return description.empty() ? "scx_stats (" + how + ")" : fmt::format("scx_stats ({}): {}", how, description);
}

}  // namespace

// ---------------------------------------------------------------- the client

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
      throw ScxStatsTimeout(fmt::format("{}: no reply within {} ms", path_, timeout_.count()));
    }
    char buf[16384];
    const auto n = read(fd_, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) throw ScxStatsClosed(path_ + ": the scheduler closed the connection");
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw ScxStatsError(path_ + ": " + std::strerror(errno));
    if (n > 0) buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

json ScxStatsClient::request(const json& req) {
  if (pending_) throw ScxStatsError(path_ + ": the reply to an earlier request is still pending");
  const auto line = req.dump() + "\n";
  pollfd p{fd_, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) {
    throw ScxStatsError(fmt::format("{}: cannot send a request within {} ms", path_, timeout_.count()));
  }
  if (send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    if (errno == EPIPE || errno == ECONNRESET) throw ScxStatsClosed(path_ + ": the scheduler closed the connection");
    throw ScxStatsError(fmt::format("{}: sending the request failed: {}", path_, std::strerror(errno)));
  }
  pending_ = true;
  return receive();
}

json ScxStatsClient::late_reply() { return receive(); }

json ScxStatsClient::receive() {
  const auto line_in = read_line();
  pending_ = false;
  int err = 0;
  json resp;
  try {
    const auto reply = json::parse(line_in);
    err = reply.at("errno").get<int>();
    resp = reply.at("args").at("resp");
  } catch (const json::exception& e) {
    throw ScxStatsError(fmt::format("{}: not an scx_stats reply ({})", path_, e.what()));
  }
  if (err != 0) {
    throw ScxStatsError(fmt::format("{}: the scheduler answered errno {} ({}){}", path_, err, std::strerror(err),
                                    resp.is_string() ? ": " + resp.get<std::string>() : ""));
  }
  return resp;
}

json ScxStatsClient::meta() { return request({{"req", "stats_meta"}, {"args", json::object()}}); }

json ScxStatsClient::stats(const std::string& target) { return request({{"req", "stats"}, {"args", {{"target", target}}}}); }

std::vector<StatsField> describe_stats(const json& meta, const json& resp) {
  std::vector<StatsField> out;
  Describer(meta, out).structure(top_struct(meta, resp), resp, "scx");
  return out;
}

// ---------------------------------------------------------------- the collector

// One trial's connection: the baseline read when constructed, reads every interval on the
// sampler thread, the final read in finish().
class ScxStatsCollector::Trial {
 public:
  Trial(const std::string& socket, std::chrono::milliseconds timeout, std::chrono::milliseconds interval)
      : socket_(socket), timeout_(timeout), client_(std::make_unique<ScxStatsClient>(socket, timeout)) {
    try {
      meta_ = client_->meta();
    } catch (const ScxStatsClosed&) {
      throw;
    } catch (const ScxStatsTimeout&) {
      throw;
    } catch (const ScxStatsError&) {
      meta_ = nullptr;  // no descriptions: the rule decides on names and value types alone
    }
    client_->stats();  // the baseline: later reads on this connection are deltas from here
    last_read_ = Clock::now();
    sampler_.emplace(interval, [this] { sample(); });
  }

  Collected finish() {
    sampler_.reset();  // joined: from here this thread alone uses the connection
    if (error_.empty()) {
      try {
        read();
      } catch (const ScxStatsError& e) {
        error_ = e.what();
      }
    }
    client_.reset();
    return error_.empty() ? results() : Collected{{}, {}, {{"scx.*", why_failed()}}};
  }

 private:
  void sample() {
    if (!error_.empty()) return;
    try {
      read();
    } catch (const ScxStatsTimeout&) {
      // The scheduler answers late (its user-space thread starved by the workload): the next
      // read takes that reply first, so none of its counts is lost.
    } catch (const ScxStatsError& e) {
      if (restarted_ && !client_) return;  // the restarted scheduler does not serve yet: next tick
      error_ = e.what();
    }
  }

  // One read into the totals, after a late reply of an earlier one. A closed connection is
  // reopened once per trial.
  void read() {
    try {
      if (!client_) client_ = std::make_unique<ScxStatsClient>(socket_, timeout_);
      if (client_->reply_pending()) add(client_->late_reply());
      add(client_->stats());
    } catch (const ScxStatsClosed&) {
      if (restarted_) throw;
      restarted_ = true;
      client_.reset();
      client_ = std::make_unique<ScxStatsClient>(socket_, timeout_);
      add(client_->stats());
    }
  }

  void add(const json& resp) {
    const auto now = Clock::now();
    const double seconds = std::max(std::chrono::duration<double>(now - last_read_).count(), 1e-9);
    last_read_ = now;
    for (auto& f : describe_stats(meta_, resp)) {
      if (f.kind == StatsFieldKind::dropped) continue;
      auto& t = totals_[f.name];
      t.kind = f.kind;
      t.unit = std::move(f.unit);
      t.description = std::move(f.description);
      t.sum += f.value;
      t.value_seconds += f.value * seconds;
      t.seconds += seconds;
      ++t.reads;
    }
  }

  Collected results() const {
    Collected out;
    for (const auto& [name, t] : totals_) {
      if (t.kind == StatsFieldKind::counter && restarted_) {
        out.unavailable.push_back({name, "the scheduler restarted during the trial (it closed its stats connection; "
                                         "scxlab reconnected): its counters started again from zero, so the trial has "
                                         "no total"});
      } else if (t.kind == StatsFieldKind::counter) {
        out.metrics.push_back({name, t.sum, t.unit, Direction::informational,
                               with_description("total over the trial", t.description)});
      } else {
        const auto how = fmt::format("mean of {} reads{}", t.reads, restarted_ ? ", across a scheduler restart" : "");
        out.metrics.push_back({name, t.value_seconds / t.seconds, t.unit, Direction::informational,
                               with_description(how, t.description)});
      }
    }
    return out;
  }

  std::string why_failed() const {
    return restarted_ ? fmt::format("the scheduler closed its stats connection (a restart?) and did not serve again: {}", error_)
                      : error_;
  }

  std::string socket_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<ScxStatsClient> client_;
  json meta_;
  Clock::time_point last_read_;
  std::map<std::string, Totals> totals_;
  bool restarted_ = false;
  std::string error_;  // the first failure: later reads are skipped, the trial has no scx.* metrics
  std::optional<Periodic> sampler_;  // last: its thread uses the members above
};

ScxStatsCollector::ScxStatsCollector(std::chrono::milliseconds timeout, std::chrono::milliseconds interval)
    : timeout_(timeout), interval_(interval) {}

ScxStatsCollector::~ScxStatsCollector() = default;

void ScxStatsCollector::start(const Target& target) {
  results_ = {};
  trial_.reset();
  error_.clear();
  socket_ = target.scx_stats_socket;
  if (socket_.empty()) return;
  try {
    trial_ = std::make_unique<Trial>(socket_, timeout_, interval_);
  } catch (const ScxStatsError& e) {
    error_ = e.what();
  }
}

void ScxStatsCollector::stop() {
  if (socket_.empty()) {
    results_.unavailable.push_back({"scx.*", "this scheduler serves no scx_stats socket"});
  } else if (!trial_) {
    results_.unavailable.push_back({"scx.*", error_});
  } else {
    results_ = trial_->finish();
  }
  trial_.reset();
}

}  // namespace scxlab::metrics
