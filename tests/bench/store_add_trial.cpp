// What the store costs a trial: one durable add_trial (a transaction with synchronous=FULL,
// so at least one fsync) of a realistic record (20 metrics, 2 unavailable, 3 histograms of a
// few hundred buckets), and reading a whole run back. Run: bench_store_add_trial
#include <filesystem>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "store/store.hpp"

using namespace scxlab;
namespace fs = std::filesystem;

namespace {

struct Db {
  fs::path dir = fs::temp_directory_path() / ("scxlab-bench-store-" + std::to_string(getpid()));
  store::ResultsDb db;
  std::int64_t run_id;

  Db() : db((fs::create_directories(dir), (dir / "results.db").string())) {
    store::RunInfo run;
    run.kind = "shootout";
    run.status = "running";
    run.host = {{"hostname", "bench"}};
    run.plan = nlohmann::json::object();
    run_id = db.create_run(run);
  }
  ~Db() { fs::remove_all(dir); }
};

store::TrialRecord realistic(std::int64_t run_id, int seq) {
  store::TrialRecord t;
  t.run_id = run_id;
  t.seq = seq;
  t.kind = store::TrialKind::measure;
  t.status = store::TrialStatus::ok;
  t.scheduler = "scx_lavd:gaming";
  t.workload = "messaging";
  t.scheduler_config = {{"args", {"--performance"}}};
  t.workload_params = {{"groups", 4}};
  t.stderr_tail = std::string(2000, 'x');
  for (int i = 0; i < 20; ++i) t.metrics.push_back({"metric_" + std::to_string(i), 1.5 * i, "us", Direction::lower_is_better, "bpf"});
  t.unavailable = {{"cycles", "not supported"}, {"instructions", "not supported"}};
  for (int h = 0; h < 3; ++h) {
    stats::LogLinearHistogram hist;
    for (std::uint64_t v = 1; v < 2'000'000; v = v * 21 / 20 + 1) hist.record(v);
    t.histograms.push_back({"latency_" + std::to_string(h), "ns", hist});
  }
  return t;
}

void BM_AddTrial(benchmark::State& state) {
  Db db;
  const auto trial = realistic(db.run_id, 0);
  int seq = 0;
  for (auto _ : state) {
    auto t = trial;
    t.seq = seq++;
    db.db.add_trial(std::move(t));
  }
}
BENCHMARK(BM_AddTrial)->Unit(benchmark::kMillisecond);

void BM_ReadRun(benchmark::State& state) {
  Db db;
  for (int seq = 0; seq < state.range(0); ++seq) db.db.add_trial(realistic(db.run_id, seq));
  for (auto _ : state) benchmark::DoNotOptimize(db.db.trials(db.run_id));
  state.counters["trials"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ReadRun)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
