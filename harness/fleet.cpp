#include "harness/fleet.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "harness/errors.hpp"
#include "harness/host.hpp"

namespace scxlab::harness {
namespace {

using Clock = std::chrono::steady_clock;

// The queue sends no notifications: the coordinator asks this often whether items finished.
constexpr auto kPoll = std::chrono::milliseconds(250);
// A worker heartbeats every third of its lease (60 s by default): silent this long, it is gone.
constexpr std::chrono::seconds kAlive{90};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

std::string resolve_class(const std::string& hw_class) {
  return hw_class == "auto" ? host_fingerprint().at("hardware_class").get<std::string>() : hw_class;
}

void check_fleet_store(const std::string& fleet, const std::string& store) {
  if (fleet.empty() || store::is_server_store(store)) return;
  throw UsageError(fmt::format("--fleet {}: the workers take their work from a shared store: give --store "
                               "postgresql://USER@HOST/DB (got '{}'; see README, Running on a fleet)", fleet, store));
}

template <typename F>
auto FleetCoordinator::with_queue(F&& f) {
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

FleetCoordinator::FleetCoordinator(FleetOptions options, const store::RunInfo& run, Progress& progress,
                                   const InterruptGuard& guard)
    : options_(std::move(options)), progress_(progress), guard_(guard) {
  shared_run_id_ = with_queue([&] { return queue_->results().import_run({run, {}}); });
}

std::int64_t FleetCoordinator::enqueue(const nlohmann::json& payload, const std::string& summary) {
  return with_queue([&] { return queue_->enqueue(shared_run_id_, options_.hw_class, payload, summary); });
}

std::vector<std::int64_t> FleetCoordinator::wait_done(const std::set<std::int64_t>& items) {
  while (!guard_.interrupted()) {
    std::vector<std::int64_t> done;
    for (const auto id : with_queue([&] { return queue_->done_items(shared_run_id_); })) {
      if (items.count(id)) done.push_back(id);
    }
    if (!done.empty()) return done;
    wait_for_workers();
    std::this_thread::sleep_for(kPoll);
  }
  return {};
}

std::vector<store::TrialRecord> FleetCoordinator::trials(int first_seq, int last_seq) {
  return with_queue([&] { return queue_->results().trials(shared_run_id_, first_seq, last_seq); });
}

std::size_t FleetCoordinator::live_workers() {
  return with_queue([&] { return queue_->live_workers(options_.hw_class, kAlive); });
}

// Says so while no worker of the class is alive, and gives up after --wait-s.
void FleetCoordinator::wait_for_workers() {
  if (live_workers() > 0) {
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

void FleetCoordinator::finish(const std::string& status, const nlohmann::json& outcome) {
  with_queue([&] {
    queue_->cancel(shared_run_id_);
    queue_->results().set_run_status(shared_run_id_, status);
    if (!outcome.is_null()) queue_->results().set_run_outcome(shared_run_id_, outcome);
    return 0;
  });
}

FleetDispatcher::FleetDispatcher(const FleetOptions& options, nlohmann::json tune, const tuner::Space& space,
                                 store::ResultsDb& db, const store::RunInfo& run, Progress& progress,
                                 std::string goal_metric, const InterruptGuard& guard)
    : TrialDispatcher(db, run.id, progress, std::move(goal_metric)),
      coordinator_(options, run, progress, guard),
      tune_(std::move(tune)),
      space_(space) {}

void FleetDispatcher::start(std::vector<TuneTrial> item) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : item) trials.push_back(tune_trial_to_json(t, space_));
  const auto summary = "tune " + item.front().what + (item.size() > 1 ? fmt::format(" and {} more", item.size() - 1) : "");
  const auto id = coordinator_.enqueue({{"tune", tune_}, {"trials", trials}}, summary);
  in_flight_.emplace(id, std::move(item));
}

std::vector<std::vector<store::TrialRecord>> FleetDispatcher::finished() {
  std::set<std::int64_t> items;
  for (const auto& [id, trials] : in_flight_) items.insert(id);
  return collect(coordinator_.wait_done(items));
}

// The finished items' trials, from the shared store into this run's DB, in completion order.
std::vector<std::vector<store::TrialRecord>> FleetDispatcher::collect(const std::vector<std::int64_t>& done) {
  std::vector<std::vector<store::TrialRecord>> items;
  for (const auto id : done) {
    const auto& planned = in_flight_.at(id);
    const auto [first, last] = std::minmax_element(planned.begin(), planned.end(),
                                                   [](const auto& a, const auto& b) { return a.seq < b.seq; });
    const auto shared = coordinator_.trials(first->seq, last->seq);
    auto& records = items.emplace_back();
    for (const auto& trial : planned) {
      const auto rec = std::find_if(shared.begin(), shared.end(), [&](const auto& t) { return t.seq == trial.seq; });
      if (rec == shared.end()) throw std::logic_error(fmt::format("item {} is done without its trial {}", id, trial.seq));
      show_begin(trial, rec->host);
      records.push_back(*rec);
      commit(records.back());
    }
    in_flight_.erase(id);
  }
  return items;
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
                       {"seconds_since_seen", w.seconds_since_seen}, {"item", w.item ? nlohmann::json(*w.item) : nullptr},
                       {"doing", w.doing}});
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
                             w.seconds_since_seen, w.item ? fmt::format("item {}: {}", *w.item, w.doing) : "idle");
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
