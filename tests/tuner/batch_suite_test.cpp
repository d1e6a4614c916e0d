// Batch tuning on the benchmark suite (issue 15): with N workers, 64 evaluations take the wall
// time of 64 / N sequential ones. The bar: with 8 workers, the regret at 64 evaluations is no
// worse than the sequential tuner's at 16 (twice its wall time). Each run is simulated with
// suite::run_in_flight: N proposals in flight, finished ones observed in proposal order, each
// replaced by a proposal made with the others pending.
//
// Cells: the suite's noise-free problems that fit a 64-evaluation budget (S1 Branin, S2
// Hartmann-3, S3 Hartmann-6), S3 with noise sigma 0.1 and S9, the scheduler-like problem (mixed
// knobs, log-latency with outliers, a throughput constraint). The bar holds per cell on the median
// over seeds 1..5 (a median over everything would let one good cell hide a bad one).
// The table of every method (build/tests/test_tuner "[.batch-table]" -s) also shows batch@64
// against sequential@64 and N = 2 and 4, with the spread over seeds.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "catch.hpp"
#include "stats/inference.hpp"
#include "tuner/suite/runner.hpp"

using namespace scxlab::tuner;

namespace {

const std::vector<std::string> kCells = {"S1", "S2", "S3", "S3 sigma0.1", "S9"};
constexpr std::size_t kBatchEvaluations = 64, kWorkers = 8;

struct Method {
  std::string name;
  std::size_t evaluations, workers;
};

std::vector<suite::Cell> batch_cells(const std::vector<suite::Problem>& problems) {
  std::vector<suite::Cell> out;
  for (const auto& c : suite::cells(problems)) {
    if (std::find(kCells.begin(), kCells.end(), c.label) != kCells.end()) out.push_back(c);
  }
  return out;
}

std::vector<double> regrets(const suite::Cell& cell, const Method& m, unsigned seeds) {
  std::vector<double> out;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed)
    out.push_back(suite::run_in_flight(cell, seed, OptimizerOptions{}, m.evaluations, m.workers).regret);
  return out;
}

}  // namespace

TEST_CASE("batch tuner with 8 workers at 64 evaluations is no worse than sequential at 16", "[tuner][slow]") {
  const auto problems = suite::problems();
  const auto cells = batch_cells(problems);
  REQUIRE(cells.size() == kCells.size());
  for (const auto& cell : cells) {
    const auto batch = regrets(cell, {"batch", kBatchEvaluations, kWorkers}, 5);
    const auto sequential = regrets(cell, {"sequential", 2 * kBatchEvaluations / kWorkers, 1}, 5);
    INFO(cell.label << ": median regret batch@64 " << scxlab::stats::median(batch) << ", sequential@16 "
                    << scxlab::stats::median(sequential));
    CHECK(scxlab::stats::median(batch) <= scxlab::stats::median(sequential));
  }
}

// Prints the table of the report: median regret with the quartiles over seeds 1..10.
//   build/tests/test_tuner "[.batch-table]" -s
TEST_CASE("batch tuning regret table (prints the table)", "[.batch-table]") {
  const std::vector<Method> methods = {{"sequential@16", 16, 1}, {"sequential@64", 64, 1}, {"batch N=2 @64", 64, 2},
                                       {"batch N=4 @64", 64, 4}, {"batch N=8 @64", 64, 8}};
  constexpr unsigned kSeeds = 10;
  const auto problems = suite::problems();
  std::cout << fmt::format("seeds 1..{}; median regret [quartiles]\n| cell |", kSeeds);
  for (const auto& m : methods) std::cout << " " << m.name << " |";
  std::cout << "\n|---|";
  for (std::size_t i = 0; i < methods.size(); ++i) std::cout << "---|";
  std::cout << "\n";
  for (const auto& cell : batch_cells(problems)) {
    std::cout << "| " << cell.label << " |";
    for (const auto& m : methods) {
      const auto r = regrets(cell, m, kSeeds);
      std::cout << fmt::format(" {:.3g} [{:.3g}, {:.3g}] |", scxlab::stats::median(r),
                               scxlab::stats::quantile(r, 0.25), scxlab::stats::quantile(r, 0.75))
                << std::flush;
    }
    std::cout << "\n";
  }
}
