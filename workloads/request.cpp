// `request`: the schbench model, written from its description. `message_threads` message
// threads each own `workers` workers. A worker posts itself to its message thread and sleeps;
// the message thread takes ONE timestamp at the start of a wake pass and wakes every posted
// worker (wakeup latency = worker running - that timestamp). The woken worker serves a
// request: sleep `sleep_us`, take the lock of the CPU it runs on (busy-wait, so a preemption
// in the middle of a request is costly), `matrix_ops` naive matrix multiplies over a
// `footprint_kb` working set, unlock (request latency = start to finish), and posts itself
// again. With `rps` > 0 the message threads dispatch requests at that fixed total rate
// instead (queueing delay, as in schbench, is not part of the latency).
//
// Measured after `warmup_s`, for `runtime_s`: full histograms (ns), and requests per second
// in 1 s windows (each completion is counted in the window it finished in, so no sampling
// thread adds jitter).
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include "workloads/builtins.hpp"
#include "workloads/params.hpp"
#include "workloads/sync.hpp"

namespace scxlab::workloads {
namespace {


struct RequestConfig {
  long message_threads, workers, sleep_us, matrix_ops, footprint_kb, runtime_s, warmup_s;
  double rps;
  bool lock;
};

// Naive n x n multiplies over three matrices that together fill the footprint.
class Matrices {
 public:
  explicit Matrices(long footprint_kb)
      : n_(static_cast<std::size_t>(std::sqrt(static_cast<double>(footprint_kb) * 1024 / 3 / sizeof(double)))),
        a_(n_ * n_, 1.0001), b_(n_ * n_, 0.9999), c_(n_ * n_, 0.0) {}

  void multiply() {
    for (std::size_t i = 0; i < n_; ++i) {
      for (std::size_t j = 0; j < n_; ++j) {
        double sum = 0;
        for (std::size_t k = 0; k < n_; ++k) sum += a_[i * n_ + k] * b_[k * n_ + j];
        c_[i * n_ + j] = sum;
      }
    }
  }

 private:
  std::size_t n_;
  std::vector<double> a_, b_, c_;
};

struct alignas(64) CpuLock {
  std::atomic<bool> held{false};
};

struct Worker {
  explicit Worker(const RequestConfig& c, std::size_t windows) : matrices(c.footprint_kb), completions(windows, 0) {}
  Event wake;
  std::int64_t woken_at_ns = 0;  // written by the message thread before wake.signal()
  Worker* next_posted = nullptr;
  Matrices matrices;
  stats::LogLinearHistogram wakeup_ns, request_ns;
  std::vector<std::uint64_t> completions;  // per 1 s window of the measured runtime
};

struct MessageThread {
  std::atomic<Worker*> posted{nullptr};  // a Treiber stack: workers push, the thread takes all
  Event wake;
  std::vector<std::unique_ptr<Worker>> workers;
};

struct Shared {
  RequestConfig c;
  std::int64_t measure_start = 0, measure_end = 0;
  std::atomic<bool> stopping{false};
  std::vector<CpuLock> locks;
};

void post(MessageThread& mt, Worker& w) {
  Worker* head = mt.posted.load(std::memory_order_relaxed);
  do {
    w.next_posted = head;
  } while (!mt.posted.compare_exchange_weak(head, &w, std::memory_order_release, std::memory_order_relaxed));
  mt.wake.signal();
}

void wake_workers(Worker* list, std::int64_t timestamp) {
  while (list) {
    Worker* next = list->next_posted;  // read first: once woken, the worker may post again
    list->woken_at_ns = timestamp;
    list->wake.signal();
    list = next;
  }
}

class CpuLockGuard {
 public:
  CpuLockGuard(std::vector<CpuLock>& locks, bool enabled) {
    if (!enabled) return;
    const int cpu = sched_getcpu();
    lock_ = &locks[static_cast<std::size_t>(cpu < 0 ? 0 : cpu) % locks.size()];
    while (lock_->held.exchange(true, std::memory_order_acquire)) {
      while (lock_->held.load(std::memory_order_relaxed)) cpu_relax();
    }
  }
  ~CpuLockGuard() {
    if (lock_) lock_->held.store(false, std::memory_order_release);
  }
  CpuLockGuard(const CpuLockGuard&) = delete;
  CpuLockGuard& operator=(const CpuLockGuard&) = delete;

 private:
  CpuLock* lock_ = nullptr;
};

void serve_request(Shared& s, Worker& w) {
  if (s.c.sleep_us > 0) sleep_until_ns(now_ns() + s.c.sleep_us * 1000);
  const CpuLockGuard guard(s.locks, s.c.lock);
  for (long i = 0; i < s.c.matrix_ops; ++i) w.matrices.multiply();
}

void worker_loop(Shared& s, MessageThread& mt, Worker& w) {
  pthread_setname_np(pthread_self(), "request-worker");
  while (!s.stopping.load(std::memory_order_relaxed)) {
    post(mt, w);
    w.wake.wait();
    if (s.stopping.load(std::memory_order_relaxed)) break;
    const std::int64_t started = now_ns();
    const std::int64_t woken_at = w.woken_at_ns;
    serve_request(s, w);
    const std::int64_t done = now_ns();
    if (started >= s.measure_start && done < s.measure_end) {
      w.wakeup_ns.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, started - woken_at)));
      w.request_ns.record(static_cast<std::uint64_t>(done - started));
      ++w.completions[static_cast<std::size_t>((done - s.measure_start) / kNsPerS)];
    }
  }
}

// Default mode: wake every posted worker as soon as it posts.
void message_loop(Shared& s, MessageThread& mt) {
  pthread_setname_np(pthread_self(), "request-msg");
  for (;;) {
    mt.wake.wait();
    if (s.stopping.load(std::memory_order_relaxed)) return;
    Worker* list = mt.posted.exchange(nullptr, std::memory_order_acquire);
    wake_workers(list, now_ns());
  }
}

// Fixed-rate mode: one request per tick of this thread's share of the rate, to an idle worker;
// ticks with no idle worker wait for the next one to post (they queue, uncounted).
void paced_message_loop(Shared& s, MessageThread& mt) {
  const auto interval = static_cast<std::int64_t>(1e9 * static_cast<double>(s.c.message_threads) / s.c.rps);
  pthread_setname_np(pthread_self(), "request-msg");
  std::vector<Worker*> idle;
  std::int64_t next_tick = now_ns();
  std::uint64_t owed = 0;
  for (;;) {
    mt.wake.wait_until(next_tick);
    if (s.stopping.load(std::memory_order_relaxed)) return;
    for (Worker* w = mt.posted.exchange(nullptr, std::memory_order_acquire); w; w = w->next_posted) idle.push_back(w);
    const std::int64_t now = now_ns();
    for (; next_tick <= now; next_tick += interval) ++owed;
    for (; owed > 0 && !idle.empty(); --owed) {
      Worker* w = idle.back();
      idle.pop_back();
      w->next_posted = nullptr;
      wake_workers(w, now);
    }
  }
}

std::vector<std::uint64_t> window_totals(const std::vector<std::unique_ptr<MessageThread>>& mts, std::size_t windows) {
  std::vector<std::uint64_t> totals(windows, 0);
  for (const auto& mt : mts) {
    for (const auto& w : mt->workers) {
      for (std::size_t i = 0; i < windows; ++i) totals[i] += w->completions[i];
    }
  }
  return totals;
}

// Nearest-rank percentile of a small sample (the 1 s RPS windows).
double nearest_rank(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

void add_latency_metrics(std::vector<Metric>& out, const std::string& name, const stats::LogLinearHistogram& h) {
  for (const auto& [label, p] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p99.9", 99.9}}) {
    out.push_back(workload_metric(fmt::format("{}_us.{}", name, label), h.percentile(p) / 1000.0, "us",
                                  Direction::lower_is_better));
  }
  out.push_back(workload_metric(name + "_us.max", static_cast<double>(h.max()) / 1000.0, "us", Direction::lower_is_better));
}

RequestConfig read_config(const Params& p) {
  const ParamReader r(p);
  RequestConfig c{r.integer("message_threads"), r.integer("workers"), r.integer("sleep_us"), r.integer("matrix_ops"),
           r.integer("footprint_kb"), r.integer("runtime_s"), r.integer("warmup_s"), r.real("rps"), r.boolean("lock")};
  if (c.workers == 0) c.workers = static_cast<long>(std::max(1U, std::thread::hardware_concurrency()));
  return c;
}

Measurements run_request(const Params& p) {
  Shared s;
  s.c = read_config(p);
  s.locks = std::vector<CpuLock>(std::max(1U, std::thread::hardware_concurrency()));
  const auto windows = static_cast<std::size_t>(s.c.runtime_s);
  std::vector<std::unique_ptr<MessageThread>> mts;
  for (long m = 0; m < s.c.message_threads; ++m) {
    auto mt = std::make_unique<MessageThread>();
    for (long w = 0; w < s.c.workers; ++w) mt->workers.push_back(std::make_unique<Worker>(s.c, windows));
    mts.push_back(std::move(mt));
  }
  s.measure_start = now_ns() + s.c.warmup_s * kNsPerS;
  s.measure_end = s.measure_start + s.c.runtime_s * kNsPerS;

  std::vector<std::thread> threads;
  for (auto& mt : mts) {
    threads.emplace_back(s.c.rps > 0 ? paced_message_loop : message_loop, std::ref(s), std::ref(*mt));
    for (auto& w : mt->workers) threads.emplace_back(worker_loop, std::ref(s), std::ref(*mt), std::ref(*w));
  }
  sleep_until_ns(s.measure_end);
  s.stopping = true;
  for (auto& mt : mts) {
    mt->wake.signal();
    for (auto& w : mt->workers) w->wake.signal();
  }
  for (auto& t : threads) t.join();

  stats::LogLinearHistogram wakeup, request;
  for (const auto& mt : mts) {
    for (const auto& w : mt->workers) {
      wakeup.merge(w->wakeup_ns);
      request.merge(w->request_ns);
    }
  }
  if (request.empty()) throw WorkloadFailure("no request completed in the measured runtime (raise runtime_s)");
  std::vector<double> rps;
  for (auto n : window_totals(mts, windows)) rps.push_back(static_cast<double>(n));
  Measurements out;
  add_latency_metrics(out.metrics, "wakeup_latency", wakeup);
  add_latency_metrics(out.metrics, "request_latency", request);
  out.metrics.push_back(workload_metric("rps.avg", static_cast<double>(request.count()) / static_cast<double>(s.c.runtime_s),
                                        "req/s", Direction::higher_is_better));
  for (const auto& [label, pct] : {std::pair{"p10", 10.0}, {"p50", 50.0}, {"p90", 90.0}}) {
    out.metrics.push_back(workload_metric(fmt::format("rps.{}", label), nearest_rank(rps, pct), "req/s", Direction::higher_is_better));
  }
  out.metrics.push_back(workload_metric("requests", static_cast<double>(request.count()), "count", Direction::informational));
  out.histograms.push_back({"wakeup_latency", "ns", wakeup});
  out.histograms.push_back({"request_latency", "ns", request});
  return out;
}

std::vector<MetricSpec> request_metric_specs() {
  auto specs = latency_metric_specs("wakeup_latency", "wakeup latency (message thread's wake pass to worker running)");
  const auto req = latency_metric_specs("request_latency", "request latency (sleep + lock + matrix work)");
  specs.insert(specs.end(), req.begin(), req.end());
  specs.push_back({"rps.avg", "req/s", Direction::higher_is_better, true, "requests completed per second of runtime"});
  for (const auto* label : {"p10", "p50", "p90"}) {
    specs.push_back({fmt::format("rps.{}", label), "req/s", Direction::higher_is_better, false,
                     fmt::format("{} of the requests per 1 s window", label)});
  }
  specs.push_back({"requests", "count", Direction::informational, false, "requests measured"});
  return specs;
}

}  // namespace

Definition request_workload() {
  WorkloadInfo info;
  info.name = "request";
  info.summary = "schbench model: message threads wake workers that serve sleep + locked matrix-multiply requests";
  info.params = {
      int_param("message_threads", 1, 1, 64, "message threads (schbench -m)"),
      int_param("workers", 0, 0, 1024, "workers per message thread, 0 = one per CPU (schbench -t)"),
      int_param("sleep_us", 100, 0, 1000000, "sleep at the start of each request (schbench -s)"),
      int_param("matrix_ops", 5, 0, 1000, "naive matrix multiplies per request (schbench -n)"),
      int_param("footprint_kb", 256, 1, 65536, "per-worker working set of the multiplies (schbench -F)"),
      bool_param("lock", true, "take the per-CPU busy-wait lock around the work (false = schbench -L)"),
      real_param("rps", 0, 0, 1e6, "fixed total request rate, 0 = as fast as workers go (schbench -R)"),
      int_param("runtime_s", 10, 1, 86400, "measured runtime in seconds (schbench -r)"),
      int_param("warmup_s", 2, 0, 3600, "seconds run before measuring, not recorded (schbench -w)"),
  };
  info.metrics = request_metric_specs();
  info.operation_rate = "rps.avg";
  Definition d;
  d.info = std::move(info);
  d.generate = run_request;
  return d;
}

}  // namespace scxlab::workloads
