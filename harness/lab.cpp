#include "harness/lab.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "harness/errors.hpp"
#include "harness/host.hpp"

namespace scxlab::harness {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

store::TrialStatus status_of(workloads::Result::Status s) {
  switch (s) {
    case workloads::Result::Status::ok: return store::TrialStatus::ok;
    case workloads::Result::Status::failed: return store::TrialStatus::failed;
    case workloads::Result::Status::timed_out: return store::TrialStatus::timed_out;
    case workloads::Result::Status::interrupted: return store::TrialStatus::interrupted;
  }
  return store::TrialStatus::failed;
}

// Sleeps up to `d`, waking early when interrupted. A cool-down is a deliberate pause for
// the machine to settle between trials, not synchronisation.
void cool_down(std::chrono::milliseconds d, const std::atomic<bool>& cancel) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!cancel.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void append(std::vector<Metric>& to, const std::vector<Metric>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Lab::Lab(const LabOptions& options, const std::atomic<bool>& cancel)
    : options_(options), cancel_(cancel) {
  manifests_ = schedulers::load_manifests(options.manifest_dirs);
  try {
    journal_ = std::make_unique<schedulers::Journal>(options.journal_path);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  for (auto& line : journal_->replay()) notes_.push_back("restored after an earlier run: " + line);
  host_ = hostname();
  hw_class_ = host_fingerprint().at("hardware_class").get<std::string>();
  if (!options.runs_trials) return;
  try {
    schedulers::claim_sched_ext(*journal_, options.backend);
  } catch (const schedulers::ForeignScheduler& e) {
    journal_->replay();  // a manager stopped before the refusal is started again
    throw UsageError(e.what());
  }
  collectors_ = std::make_unique<metrics::CollectorSet>(options.collectors);
}

Lab::~Lab() {
  try {
    stop_scheduler();
    journal_->replay();
  } catch (...) {
    // A destructor must not throw; the journal keeps what was not undone for the next start.
  }
}

const schedulers::Manifest& Lab::manifest(const std::string& name) const {
  for (const auto& m : manifests_) {
    if (m.name == name) return m;
  }
  throw UsageError(fmt::format("no scheduler manifest named '{}' (see: scxlab list schedulers)", name));
}

LabOptions make_lab_options(const std::vector<std::string>& manifest_dirs, bool take_over, bool no_bpf,
                            double trial_timeout_s, std::optional<double> attach_timeout_s) {
  LabOptions lo;
  lo.manifest_dirs = manifest_dirs;
  lo.backend.take_over = take_over;
  lo.collectors.bpf = !no_bpf;
  lo.trial_timeout = std::chrono::milliseconds(static_cast<long>(trial_timeout_s * 1000));
  if (attach_timeout_s) lo.backend.attach_timeout = std::chrono::seconds(static_cast<long>(std::ceil(*attach_timeout_s)));
  return lo;
}

LabOptions LabSpec::options() const {
  auto lo = make_lab_options(manifest_dirs, take_over, no_bpf, trial_timeout_s, attach_timeout_s);
  lo.cooldown = std::chrono::milliseconds(static_cast<long>(cooldown_s * 1000));
  lo.collectors.perf_events = perf_events;
  return lo;
}

std::vector<Unavailable> Lab::unavailable_knobs(const std::string& scheduler) {
  return schedulers::make_backend(manifest(scheduler), *journal_, options_.backend)->unavailable_knobs();
}

void Lab::stop_scheduler() {
  if (backend_) {
    backend_->stop();
    backend_.reset();
  }
  running_.reset();
}

std::string Lab::ensure_running(const schedulers::Config& config) {
  start_s_.reset();
  if (running_ && running_->label == config.label && backend_) {
    const auto health = backend_->check();
    if (health.serving) return "";
  }
  stop_scheduler();
  backend_ = schedulers::make_backend(manifest(config.scheduler), *journal_, options_.backend);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    backend_->start(config);
    start_s_ = seconds_since(t0);
  } catch (const std::exception& e) {
    backend_->stop();
    backend_.reset();
    return e.what();
  }
  running_ = config;
  return "";
}

nlohmann::json Lab::describe(const schedulers::Config& config) const {
  const auto& m = manifest(config.scheduler);
  nlohmann::json d = {{"scheduler", config.scheduler},
                      {"label", config.label},
                      {"preset", config.preset},
                      {"knobs", config.knobs},
                      {"extra_args", config.extra_args}};
  if (!config.binary.empty()) d["binary"] = config.binary;  // another build than the installed one
  if (m.backend == schedulers::BackendKind::scx) d["args"] = schedulers::build_args(m, config);
  if (backend_ && running_ && running_->label == config.label) {
    d["name"] = backend_->name();
    d["version"] = backend_->version();
    if (start_s_) d["start_s"] = *start_s_;  // started for this trial: how long until it served
  }
  return d;
}

store::TrialRecord Lab::run_trial(const schedulers::Config& config, const Entry& entry, store::TrialKind kind) {
  if (!options_.runs_trials) throw std::logic_error("a lab made with runs_trials = false ran a trial");
  const auto t0 = std::chrono::steady_clock::now();
  store::TrialRecord rec;
  rec.kind = kind;
  rec.host = host_;
  rec.hw_class = hw_class_;
  rec.scheduler = config.label;
  rec.workload = entry.label;
  rec.workload_params = entry.params;
  rec.started_utc = utc_now_iso8601();

  if (auto why = ensure_running(config); !why.empty()) {
    rec.scheduler_config = describe(config);
    rec.status = store::TrialStatus::failed;
    rec.reason = "scheduler did not start: " + why;
    rec.ended_utc = utc_now_iso8601();
    rec.overhead_s = seconds_since(t0);
    return rec;
  }
  rec.scheduler_config = describe(config);

  // Task attributes the scheduler configuration sets (per-role nice, slice, policy), for the
  // workloads that have those roles.
  auto params = entry.params;
  const auto declared = workloads::find_workload(entry.workload);
  for (const auto& [k, v] : backend_->workload_params(config)) {
    if (declared && std::any_of(declared->params.begin(), declared->params.end(),
                                [&](const auto& p) { return p.name == k; }))
      params[k] = v;
  }

  metrics::Target target{0, manifest(config.scheduler).stats_socket};
  bool collecting = false;
  std::string collector_error;
  workloads::RunOptions run_options;
  run_options.timeout = options_.trial_timeout;
  run_options.cancel = &cancel_;
  run_options.on_ready = [&](pid_t pid) {
    target.root_pid = pid;
    try {
      collectors_->start(target);
      collecting = true;
    } catch (const std::exception& e) {
      collector_error = e.what();
    }
  };
  run_options.on_finished = [&] {
    if (collecting) collectors_->stop();
    collecting = false;
  };
  const auto result = workloads::run(entry.workload, params, run_options);
  if (collecting) collectors_->stop();

  rec.status = status_of(result.status);
  rec.reason = result.reason;
  rec.stderr_tail = result.stderr_tail;
  rec.metrics = result.metrics;
  rec.histograms = result.histograms;
  rec.wall_s = result.wall_s;
  if (target.root_pid != 0 && collector_error.empty()) {
    auto collected = collectors_->results();
    append(rec.metrics, collected.metrics);
    rec.unavailable = std::move(collected.unavailable);
    metrics::add_energy_per_op(rec.metrics, rec.unavailable, declared ? declared->operation_rate : "");
    for (auto& h : collected.histograms) rec.histograms.push_back(std::move(h));
  } else if (!collector_error.empty()) {
    rec.unavailable.push_back({"collectors", "could not start: " + collector_error});
  }

  const auto health = backend_->check();
  if (!health.serving) {
    // Displaced: the scheduler did not fail, but the workload did not run (only) under it.
    rec.status = health.displaced ? store::TrialStatus::failed : store::TrialStatus::ejected;
    rec.reason = health.reason.empty() ? "the scheduler stopped serving (state " + health.state + ")"
                 : health.displaced    ? "another scheduler served during the trial: " + health.reason
                                       : health.reason;
    stop_scheduler();
  }
  rec.ended_utc = utc_now_iso8601();
  rec.overhead_s = std::max(0.0, seconds_since(t0) - rec.wall_s);
  cool_down(options_.cooldown, cancel_);
  return rec;
}

}  // namespace scxlab::harness
