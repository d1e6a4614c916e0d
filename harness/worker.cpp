#include "harness/worker.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "base/files.hpp"
#include "harness/errors.hpp"
#include "harness/fleet_rounds.hpp"
#include "harness/host.hpp"
#include "harness/privileges.hpp"
#include "harness/signals.hpp"
#include "harness/tune_setup.hpp"
#include "store/queue.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdlePoll = std::chrono::milliseconds(500);  // the queue sends no notifications
constexpr auto kMaxBackoff = std::chrono::seconds(30);

std::string worker_id() {
  return fmt::format("{}:{}:{:08x}", hostname(), getpid(), std::random_device{}());
}

// The connection to the shared store, made again while the server is away (1 s, doubling to
// 30 s between tries), until it answers or the worker is interrupted.
class Connection {
 public:
  Connection(std::string url, const InterruptGuard& guard, bool quiet) : url_(std::move(url)), guard_(guard), quiet_(quiet) {}

  // Runs `f` on the queue; nullopt when interrupted while the store was away.
  template <typename F>
  auto call(F&& f) -> std::optional<decltype(f(std::declval<store::WorkQueue&>()))> {
    auto backoff = std::chrono::seconds(1);
    while (!guard_.interrupted()) {
      try {
        if (!queue_) queue_.emplace(url_);
        return f(*queue_);
      } catch (const store::StoreUnavailable& e) {
        queue_.reset();
        if (!quiet_) std::cerr << fmt::format("worker: {}; trying again in {} s\n", e.what(), backoff.count());
        sleep_unless_interrupted(backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
      }
    }
    return std::nullopt;
  }

  // One try, for the last words of an interrupted worker: a store that is away forgets the worker
  // by itself (it stops being seen; its lease expires).
  template <typename F>
  void once(F&& f) {
    try {
      if (!queue_) queue_.emplace(url_);
      f(*queue_);
    } catch (const store::StoreError& e) {
      if (!quiet_) std::cerr << "worker: " << e.what() << "\n";
    }
  }

 private:
  void sleep_unless_interrupted(std::chrono::seconds s) {
    for (auto until = Clock::now() + s; Clock::now() < until && !guard_.interrupted();)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::string url_;
  const InterruptGuard& guard_;
  bool quiet_;
  std::optional<store::WorkQueue> queue_;
};

// Extends the item's lease every third of it, on a connection of its own, while the item runs.
class Heartbeat {
 public:
  Heartbeat(const std::string& url, const store::WorkItem& item, std::chrono::seconds lease)
      : thread_([this, url, item, lease] { beat(url, item, lease); }) {}
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  bool lost() const { return lost_.load(); }

 private:
  void beat(const std::string& url, const store::WorkItem& item, std::chrono::seconds lease) {
    std::optional<store::WorkQueue> queue;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, lease / 3, [this] { return stop_; })) {
      try {
        if (!queue) queue.emplace(url);
        if (!queue->heartbeat(item, lease)) lost_ = true;  // expired and taken: the result will be refused
      } catch (const store::StoreError&) {
        queue.reset();  // away: the next beat connects again; complete() decides in the end
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> lost_{false};
  std::thread thread_;  // last: started once the rest exists
};

// The trials of an item that could not run on this worker, so that its coordinator sees
// failures, not a silence. Both kinds of item list their trials with these fields.
std::vector<store::TrialRecord> not_run(const nlohmann::json& trials, const std::string& why) {
  std::vector<store::TrialRecord> records;
  for (const auto& t : trials) {
    auto& rec = records.emplace_back();
    rec.seq = t.at("seq");
    rec.round = t.at("round");
    rec.kind = store::trial_kind_from(t.at("kind").get<std::string>());
    rec.scheduler = t.at("label");
    rec.status = store::TrialStatus::failed;
    rec.reason = fmt::format("the worker on {} could not run it: {}", hostname(), why);
    rec.host = hostname();
    rec.started_utc = rec.ended_utc = utc_now_iso8601();
  }
  return records;
}

class Worker {
 public:
  Worker(const WorkerOptions& options, const InterruptGuard& guard)
      : options_(options), guard_(guard), connection_(options.store, guard, options.quiet), dir_(state_dir()) {
    const auto fingerprint = host_fingerprint();
    me_ = {worker_id(), hostname(),
           options.hw_class == "auto" ? fingerprint.at("hardware_class").get<std::string>() : options.hw_class};
  }
  ~Worker() {
    if (options_.state_dir.empty()) fs::remove_all(dir_);
  }

  int run() {
    if (!options_.quiet) {
      std::cerr << fmt::format("scxlab worker {}: class {}, store {}, lease {} s\n", me_.id, me_.hw_class,
                               options_.store, options_.lease_s);
    }
    if (!connection_.call([&](store::WorkQueue& q) { q.announce(me_); return 0; })) return kExitInterrupted;
    int items = 0;
    auto idle_since = Clock::now();
    while (!guard_.interrupted() && (!options_.max_items || items < *options_.max_items)) {
      const auto item = connection_.call([&](store::WorkQueue& q) { return q.lease(me_, lease()); });
      if (!item) break;  // interrupted
      if (!*item) {
        if (options_.idle_exit_s && std::chrono::duration<double>(Clock::now() - idle_since).count() > *options_.idle_exit_s) break;
        std::this_thread::sleep_for(kIdlePoll);
        continue;
      }
      work_on(**item);
      ++items;
      idle_since = Clock::now();
    }
    connection_.once([&](store::WorkQueue& q) { q.retire(me_); });
    return guard_.interrupted() ? kExitInterrupted : kExitOk;
  }

 private:
  std::chrono::seconds lease() const { return std::chrono::seconds(options_.lease_s); }

  std::string state_dir() const {
    if (!options_.state_dir.empty()) {
      fs::create_directories(options_.state_dir);
      return options_.state_dir;
    }
    std::string dir = (fs::temp_directory_path() / "scxlab-worker.XXXXXX").string();
    if (!mkdtemp(dir.data())) throw UsageError(fmt::format("cannot create a directory for the worker in {}", dir));
    return dir;
  }

  void work_on(const store::WorkItem& item) {
    if (!options_.quiet) std::cerr << fmt::format("worker: item {} (run {}, attempt {})\n", item.id, item.run_id, item.attempt);
    std::vector<store::TrialRecord> records;
    bool lost = false;
    {
      Heartbeat heartbeat(options_.store, item, lease());
      records = run_trials(item);
      lost = heartbeat.lost();
    }
    const bool interrupted = records.empty() || records.back().status == store::TrialStatus::interrupted;
    if (interrupted) {
      connection_.once([&](store::WorkQueue& q) { q.release(item); });
      return;
    }
    const auto completed = connection_.call([&](store::WorkQueue& q) { return q.complete(item, records); });
    if (!options_.quiet && completed && !*completed) {
      std::cerr << fmt::format("worker: item {} went to another worker {}; its result is dropped\n", item.id,
                               lost ? "while it ran" : "(its lease expired)");
    }
  }

  // The item's trials, in order, with the ordinary lab; stops at an interrupted one.
  std::vector<store::TrialRecord> run_trials(const store::WorkItem& item) {
    const bool round = is_round_item(item.payload);
    try {
      return round ? run_round_item(item.payload, journal_path(), guard_.flag(), options_.quiet)
                   : run_tune_item(item.payload);
    } catch (const UsageError& e) {  // this host cannot run it (a knob, a scheduler, the journal)
      return not_run(round ? item.payload.at("round").at("trials") : item.payload.at("trials"), e.what());
    }
  }

  std::vector<store::TrialRecord> run_tune_item(const nlohmann::json& payload) {
    const auto& tune = payload.at("tune");
    auto options = tune.at("options").get<TuneOptions>();
    if (tune.contains("space_toml")) {
      options.space_file = (fs::path(dir_) / "space.toml").string();
      base::write_file_atomically(options.space_file, tune.at("space_toml").get<std::string>());
    }
    auto lo = lab_options(options);
    if (const auto journal = journal_path(); !journal.empty()) lo.journal_path = journal;
    Lab lab(lo, guard_.flag());
    const TuneBench bench(options, tune.at("seed").get<std::uint64_t>(), lab, dir_);
    std::vector<store::TrialRecord> records;
    for (const auto& j : payload.at("trials")) {
      const auto trial = tune_trial_from_json(j, bench.space.space);
      if (!options_.quiet) std::cerr << "worker:   " << trial.what << "\n";
      records.push_back(bench.evaluator.run(trial));
      if (records.back().status == store::TrialStatus::interrupted) break;
    }
    return records;
  }

  // The worker's own journal with --state-dir; "" = the host's.
  std::string journal_path() const {
    return options_.state_dir.empty() ? "" : (fs::path(dir_) / "journal.json").string();
  }

  const WorkerOptions& options_;
  const InterruptGuard& guard_;
  Connection connection_;
  std::string dir_;
  store::WorkerInfo me_;
};

}  // namespace

int worker_command(const WorkerOptions& options) {
  require_privileges("worker");
  if (options.lease_s < 3) throw UsageError(fmt::format("--lease-s {}: give 3 s or more", options.lease_s));
  InterruptGuard guard;
  try {
    store::WorkQueue(options.store);  // a wrong URL or refused credentials: said now, exit 2
  } catch (const store::StoreError& e) {
    throw UsageError(e.what());
  }
  Worker worker(options, guard);
  return worker.run();
}

}  // namespace scxlab::harness
