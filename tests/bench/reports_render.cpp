// What the reports cost for a large shootout: 6 schedulers x 3 workloads x 30 repetitions,
// 12 metrics and 2 latency histograms per trial (540 trials), analysed by stats::analyse, then
// rendered as the terminal table and as the HTML report (its size is a counter).
// Run: bench_reports_render
#include <cmath>

#include <benchmark/benchmark.h>

#include "reports/report.hpp"
#include "stats/inference.hpp"

using namespace scxlab;

namespace {

reports::ReportInput large_run() {
  reports::ReportInput in;
  in.run.kind = "shootout";
  in.run.uuid = "bench";
  in.run.host = {{"hostname", "bench"}};
  stats::Rng rng(1);
  int seq = 0;
  for (int round = 1; round <= 30; ++round) {
    for (const char* workload : {"messaging", "request", "frames"}) {
      for (int s = 0; s < 6; ++s) {
        store::TrialRecord t;
        t.seq = seq++;
        t.round = round;
        t.kind = store::TrialKind::measure;
        t.status = store::TrialStatus::ok;
        t.scheduler = "sched_" + std::to_string(s);
        t.workload = workload;
        for (int m = 0; m < 12; ++m) {
          const double value = (10 + m) * (1 + 0.02 * s) * (1 + 0.03 * (rng.uniform() - 0.5));
          t.metrics.push_back({"metric_" + std::to_string(m), value, "us",
                               m % 3 ? Direction::lower_is_better : Direction::higher_is_better, "workload"});
        }
        for (int h = 0; h < 2; ++h) {
          stats::LogLinearHistogram hist;
          for (int i = 0; i < 2000; ++i) hist.record(static_cast<std::uint64_t>(20 * std::exp(2 * rng.uniform())));
          t.histograms.push_back({"latency_" + std::to_string(h), "us", hist});
        }
        in.trials.push_back(std::move(t));
      }
    }
  }
  const reports::HeadlineMap headlines = {{"messaging", {"metric_0", "metric_1"}},
                                          {"request", {"metric_0", "metric_1"}},
                                          {"frames", {"metric_0", "metric_1", "metric_2"}}};
  stats::AnalysisOptions options;
  options.baseline = "sched_0";
  in.analysis = stats::analyse(reports::observations_from_trials(in.trials, headlines), options);
  return in;
}

void BM_RenderHtml(benchmark::State& state) {
  const auto in = large_run();
  std::size_t bytes = 0;
  for (auto _ : state) bytes = reports::render_html(in).size();
  state.counters["html_KiB"] = static_cast<double>(bytes) / 1024;
}
BENCHMARK(BM_RenderHtml)->Unit(benchmark::kMillisecond);

void BM_RenderTerminal(benchmark::State& state) {
  const auto in = large_run();
  reports::TerminalOptions options;
  options.all_metrics = true;
  for (auto _ : state) benchmark::DoNotOptimize(reports::render_terminal(in, options));
}
BENCHMARK(BM_RenderTerminal)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
