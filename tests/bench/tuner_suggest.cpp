// What one suggestion costs the tuner after n observations in d dimensions: fitting the GP's
// hyper-parameters (MAP, L-BFGS) and maximising log EI, i.e. everything Optimizer::suggest()
// does once the initial design is spent. Must: <= 200 ms at n = 100, d = 6 and <= 1 s at
// n = 200, d = 15 (the optimiser's own time should stay a small share of a 5-60 s trial).
// The objective is Hartmann-6 (the suite's S3) on the first six knobs, the others inert (S4's
// shape). Observations: half a Sobol design, half clustered around the optimum as in a run
// that has converged, so the GP sees the ill-conditioned data a long run produces.
// Run: bench_tuner_suggest
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "tuner/optimizer.hpp"
#include "tuner/random.hpp"
#include "tuner/sobol.hpp"
#include "tuner/suite/problems.hpp"

using namespace scxlab::tuner;

namespace {

const suite::Problem& hartmann6() {
  static const auto problems = suite::problems();
  return *std::find_if(problems.begin(), problems.end(), [](const auto& p) { return p.id == "S3"; });
}

Space cube(std::size_t d) {
  Space s(fmt::format("cube{}", d));
  for (std::size_t i = 0; i < d; ++i) {
    Knob k;
    k.name = fmt::format("x{}", i);
    k.default_value = 0.5;
    s.add(k);
  }
  return s;
}

std::vector<Observation> history(std::size_t n, std::size_t d) {
  constexpr double kOptimum[6] = {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573};
  const auto& h6 = hartmann6();
  SobolSequence sobol(d, 1);
  scxlab::stats::Rng rng(2);
  std::vector<double> u(d);
  std::vector<Observation> out;
  for (std::size_t i = 0; i < n; ++i) {
    sobol.next(u);
    if (i >= n / 2) {
      for (std::size_t j = 0; j < d; ++j) u[j] = std::clamp((j < 6 ? kOptimum[j] : u[j]) + 0.05 * standard_normal(rng), 0.0, 1.0);
    }
    Config c, first6;
    for (std::size_t j = 0; j < d; ++j) c.values.emplace_back(u[j]);
    first6.values.assign(c.values.begin(), c.values.begin() + 6);
    out.push_back({std::move(c), {true, {h6.f(first6)}, {}, 0}});
  }
  return out;
}

void BM_Suggest(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0)), d = static_cast<std::size_t>(state.range(1));
  const Space space = cube(d);
  const auto observations = history(n, d);
  OptimizerOptions o;
  o.budget.evaluations = n + 1;
  for (auto _ : state) {
    // A fresh optimiser each time: suggest() caches the fitted model per history.
    state.PauseTiming();
    Optimizer opt(space, o);
    for (const auto& obs : observations) opt.observe(obs.config, obs.outcome);
    state.ResumeTiming();
    benchmark::DoNotOptimize(opt.suggest());
  }
  state.SetLabel(fmt::format("n={} d={}", n, d));
}
BENCHMARK(BM_Suggest)
    ->ArgNames({"n", "d"})
    ->ArgsProduct({{50, 100, 200, 300}, {6, 12}})
    ->Args({200, 15})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
