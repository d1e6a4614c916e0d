// Micro-benchmarks of what the generators are made of, so their own overhead is known:
//   the frame metrics over a long run, one futex hand-off between two threads (each link of
//   the frames chain and each request wakeup pays it), and one calibrated microsecond of work.
//   cmake --build <dir> --target bench_workloads_primitives && <dir>/tests/bench_workloads_primitives
#include <random>
#include <thread>

#include <benchmark/benchmark.h>

#include "workloads/frame_metrics.hpp"
#include "workloads/sync.hpp"
#include "workloads/work_unit.hpp"

namespace {

using namespace scxlab::workloads;

void BM_FrameTimeMetrics(benchmark::State& state) {
  std::mt19937 rng(42);
  std::lognormal_distribution<double> ft(std::log(16.7), 0.2);
  std::vector<double> frames(static_cast<std::size_t>(state.range(0)));
  for (auto& f : frames) f = ft(rng);
  for (auto _ : state) benchmark::DoNotOptimize(frame_time_metrics(frames));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FrameTimeMetrics)->Arg(600)->Arg(36000)->Unit(benchmark::kMicrosecond);

// A round trip: signal the other thread, wait for its answer (two wakeups).
void BM_EventPingPong(benchmark::State& state) {
  Event ping, pong;
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    for (;;) {
      ping.wait();
      if (stop) return;
      pong.signal();
    }
  });
  for (auto _ : state) {
    ping.signal();
    pong.wait();
  }
  stop = true;
  ping.signal();
  partner.join();
}
BENCHMARK(BM_EventPingPong)->UseRealTime();

void BM_WorkOneMicrosecond(benchmark::State& state) {
  work_calibration();
  for (auto _ : state) work_us(1.0);
}
BENCHMARK(BM_WorkOneMicrosecond);

}  // namespace

BENCHMARK_MAIN();
