#include "harness/fleet.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "harness/errors.hpp"

namespace scxlab::harness {
namespace {

using Clock = std::chrono::steady_clock;

// The queue sends no notifications: the coordinator asks this often whether items finished.
constexpr auto kPoll = std::chrono::milliseconds(250);
// A worker heartbeats every third of its lease (60 s by default): silent this long, it is gone.
constexpr std::chrono::seconds kAlive{90};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

template <typename F>
auto FleetDispatcher::with_queue(F&& f) {
  std::optional<Clock::time_point> away_since;
  for (;;) {
    try {
      if (!queue_) queue_.emplace(options_.store);
      return f();
    } catch (const store::StoreUnavailable& e) {
      queue_.reset();
      if (!away_since) away_since = Clock::now();
      const double away = seconds_since(*away_since);
      if (guard_.interrupted() || away > options_.wait_s) throw UsageError(e.what());
      progress_.waiting(fmt::format("the results store is away, reconnecting (--wait-s {:.0f})", options_.wait_s),
                        static_cast<int>(away));
      std::this_thread::sleep_for(std::chrono::seconds(1));
    } catch (const store::StoreError& e) {
      throw UsageError(e.what());
    }
  }
}

FleetDispatcher::FleetDispatcher(const FleetOptions& options, nlohmann::json tune, const tuner::Space& space,
                                 store::ResultsDb& db, const store::RunInfo& run, Progress& progress,
                                 std::string goal_metric, const InterruptGuard& guard)
    : TrialDispatcher(db, run.id, progress, std::move(goal_metric)),
      options_(options),
      tune_(std::move(tune)),
      space_(space),
      guard_(guard) {
  shared_run_id_ = with_queue([&] { return queue_->results().import_run({run, {}}); });
}


void FleetDispatcher::start(std::vector<TuneTrial> item) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : item) trials.push_back(tune_trial_to_json(t, space_));
  const nlohmann::json payload{{"tune", tune_}, {"trials", trials}};
  const auto id = with_queue([&] { return queue_->enqueue(shared_run_id_, options_.hw_class, payload); });
  in_flight_.emplace(id, std::move(item));
}

std::vector<std::vector<store::TrialRecord>> FleetDispatcher::finished() {
  while (!guard_.interrupted()) {
    const auto done = with_queue([&] { return queue_->done_items(shared_run_id_); });
    std::vector<std::int64_t> fresh;
    for (const auto id : done) {
      if (in_flight_.count(id) && !seen_.count(id)) fresh.push_back(id);
    }
    if (!fresh.empty()) return collect(fresh);
    wait_for_workers();
    std::this_thread::sleep_for(kPoll);
  }
  return {};
}

// The finished items' trials, from the shared store into this run's DB, in completion order.
std::vector<std::vector<store::TrialRecord>> FleetDispatcher::collect(const std::vector<std::int64_t>& done) {
  const auto shared = with_queue([&] { return queue_->results().trials(shared_run_id_); });
  std::vector<std::vector<store::TrialRecord>> items;
  for (const auto id : done) {
    auto& records = items.emplace_back();
    for (const auto& planned : in_flight_.at(id)) {
      const auto rec = std::find_if(shared.begin(), shared.end(), [&](const auto& t) { return t.seq == planned.seq; });
      if (rec == shared.end()) throw std::logic_error(fmt::format("item {} is done without its trial {}", id, planned.seq));
      show_begin(planned, rec->host);
      records.push_back(*rec);
      commit(records.back());
    }
    in_flight_.erase(id);
    seen_.insert(id);
  }
  return items;
}

// Says so while no worker of the class is alive, and gives up after --wait-s.
void FleetDispatcher::wait_for_workers() {
  if (with_queue([&] { return queue_->live_workers(options_.hw_class, kAlive); }) > 0) {
    alone_since_.reset();
    return;
  }
  if (!alone_since_) alone_since_ = Clock::now();
  const double waited = seconds_since(*alone_since_);
  if (waited > options_.wait_s) {
    throw UsageError(fmt::format("no worker of class {} has been seen for {:.0f} s: start one on a host of that class "
                                 "(scxlab worker --store {}), or name a class that has workers (scxlab fleet status "
                                 "--store {})",
                                 options_.hw_class, waited, options_.store, options_.store));
  }
  progress_.waiting(fmt::format("waiting for a worker of class {} (start one: scxlab worker --store {})",
                                options_.hw_class, options_.store),
                    static_cast<int>(waited));
}

void FleetDispatcher::finish(const std::string& status, const nlohmann::json& outcome) {
  with_queue([&] {
    queue_->cancel(shared_run_id_);
    queue_->results().set_run_status(shared_run_id_, status);
    if (!outcome.is_null()) queue_->results().set_run_outcome(shared_run_id_, outcome);
    return 0;
  });
}


namespace {

// Seconds until the class's queue is empty: its queued items at its median item time, spread over
// its live workers; nullopt before an item finished or while no worker is alive.
std::optional<double> eta_s(const store::ClassQueue& q, const store::FleetStatus& s) {
  std::size_t live = 0;
  for (const auto& w : s.workers) live += w.worker.hw_class == q.hw_class && w.seconds_since_seen < kAlive.count();
  if (!q.median_item_s || live == 0) return std::nullopt;
  return static_cast<double>(q.pending + q.leased) * *q.median_item_s / static_cast<double>(live);
}

nlohmann::json status_json(const store::FleetStatus& s) {
  auto workers = nlohmann::json::array();
  for (const auto& w : s.workers) {
    workers.push_back({{"id", w.worker.id}, {"host", w.worker.hostname}, {"class", w.worker.hw_class},
                       {"seconds_since_seen", w.seconds_since_seen}, {"item", w.item ? nlohmann::json(*w.item) : nullptr}});
  }
  auto queues = nlohmann::json::array();
  for (const auto& q : s.queues) {
    const auto eta = eta_s(q, s);
    queues.push_back({{"class", q.hw_class}, {"pending", q.pending}, {"running", q.leased}, {"done", q.done},
                      {"median_item_s", q.median_item_s ? nlohmann::json(*q.median_item_s) : nullptr},
                      {"eta_s", eta ? nlohmann::json(*eta) : nullptr}});
  }
  return {{"workers", workers}, {"queues", queues}};
}

void print_status(const store::FleetStatus& s) {
  std::cout << fmt::format("{} worker(s) seen in the last hour\n", s.workers.size());
  for (const auto& w : s.workers) {
    std::cout << fmt::format("  {:<40} {:<16} seen {:>5.0f} s ago  {}\n", w.worker.id, w.worker.hw_class,
                             w.seconds_since_seen, w.item ? fmt::format("running item {}", *w.item) : "idle");
  }
  if (s.queues.empty()) std::cout << "queues: empty\n";
  for (const auto& q : s.queues) {
    const auto eta = eta_s(q, s);
    std::cout << fmt::format("class {}: {} queued, {} running, {} done; ETA {}\n", q.hw_class, q.pending, q.leased,
                             q.done, eta ? format_duration(*eta) : "not known yet (no item finished, or no live worker)");
  }
}

}  // namespace

int fleet_status_command(const FleetStatusOptions& options) {
  store::FleetStatus status;
  try {
    store::WorkQueue queue(options.store);
    status = queue.status();
  } catch (const store::StoreError& e) {
    throw UsageError(e.what());
  }
  if (options.json) std::cout << status_json(status).dump(2) << "\n";
  else print_status(status);
  return kExitOk;
}

}  // namespace scxlab::harness
