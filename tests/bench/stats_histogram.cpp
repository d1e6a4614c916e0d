// What one latency sample costs a workload's hot loop: reading a timestamp (the vDSO
// clock_gettime, and std::chrono::steady_clock over it) and recording the difference into a
// LogLinearHistogram. Target: under 25 ns each. Run: bench_stats_histogram
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <numbers>
#include <vector>

#include "stats/histogram.hpp"
#include "stats/inference.hpp"

namespace {

constexpr std::size_t kValues = 4096;  // a power of two: the index wraps with a mask

// Latencies in ns spread like real wakeup latencies (log-normal around 20 us, tails to ms),
// so the bucket index is not the same branch every time.
std::vector<std::uint64_t> latencies() {
  scxlab::stats::Rng rng(1);
  std::vector<std::uint64_t> v(kValues);
  for (auto& x : v) {
    const double u1 = 1 - rng.uniform(), u2 = rng.uniform();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    x = static_cast<std::uint64_t>(std::exp(std::log(20'000.0) + 1.2 * z));
  }
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const auto values = latencies();
  scxlab::stats::LogLinearHistogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & (kValues - 1)]);
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

void BM_ClockGettimeMonotonic(benchmark::State& state) {
  timespec ts{};
  for (auto _ : state) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK(BM_ClockGettimeMonotonic);

void BM_SteadyClockNow(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::chrono::steady_clock::now());
  }
}
BENCHMARK(BM_SteadyClockNow);

// The whole per-sample cost as a workload pays it: one timestamp at the end of an operation
// (the start is the previous end), the difference, one record.
void BM_TimestampAndRecord(benchmark::State& state) {
  scxlab::stats::LogLinearHistogram h;
  auto last = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const auto now = std::chrono::steady_clock::now();
    h.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
    last = now;
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_TimestampAndRecord);

}  // namespace

BENCHMARK_MAIN();
