// The per-trial cost of the collectors (the harness's own overhead): CollectorSet::start() on a
// held root, then stop() + results() after it exited. Run as root: bench_metrics_startstop.
#include <benchmark/benchmark.h>

#include <sys/wait.h>
#include <unistd.h>

#include "metrics/collector.hpp"

namespace {

// A root that exits as soon as it is released, as a workload's would after its work.
struct HeldRoot {
  pid_t pid = -1;
  int go = -1;
  HeldRoot() {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid = fork();
    if (pid == 0) {
      close(fds[1]);
      char c;
      _exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
    }
    close(fds[0]);
    go = fds[1];
  }
  void release_and_reap() {
    close(go);
    waitpid(pid, nullptr, 0);
  }
};

void run(benchmark::State& state, scxlab::metrics::CollectorOptions options) {
  scxlab::metrics::CollectorSet set(options);
  for (auto _ : state) {
    state.PauseTiming();
    HeldRoot root;
    state.ResumeTiming();
    set.start({root.pid, ""});
    state.PauseTiming();
    root.release_and_reap();
    state.ResumeTiming();
    set.stop();
    benchmark::DoNotOptimize(set.results());
  }
}

void BM_AllCollectors(benchmark::State& state) { run(state, {}); }
void BM_BpfOnly(benchmark::State& state) {
  scxlab::metrics::CollectorOptions o;
  o.perf = o.proc = o.scx_stats = false;
  run(state, o);
}
void BM_PerfOnly(benchmark::State& state) {
  scxlab::metrics::CollectorOptions o;
  o.bpf = o.proc = o.scx_stats = false;
  run(state, o);
}

BENCHMARK(BM_AllCollectors)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BpfOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PerfOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
