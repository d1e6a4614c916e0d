// The CI tier of the tuner's benchmark suite (docs/tuner-protocol.md): every
// cell of S1-S9 on fixed seeds against random search in the same run, asserting the MUST
// bars of the protocol:
//   - every cell: the tuner's median regret is below random search's (Bayesmark score < 1);
//   - the cells the protocol calibrates: median regret no worse than its plain C++ GP + log-EI
//     baseline.
// Seeds: 1..20 for the cheap cells (budget 50, d <= 3), 1..5 for the others, so the tier takes
// about 3 minutes on 2 cores. The full 20-seed run is `tuner_suite --seeds 20`.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "catch.hpp"
#include "tuner/suite/runner.hpp"

using namespace scxlab::tuner;

namespace {

// The protocol's "plain GP + log-EI" median regrets.
const std::map<std::string, double> kBaseline = {
    {"S1", 1.3e-4}, {"S2", 4.1e-3},        {"S3", 3.1e-4},         {"S4", 0.13},
    {"S5", 0.19},   {"S3 sigma0.1", 0.52}, {"S3 sigma0.3", 0.56},
};

std::vector<std::uint64_t> seeds(unsigned count) {
  std::vector<std::uint64_t> out;
  for (unsigned s = 1; s <= count; ++s) out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("benchmark suite S1-S9: MUST bars on fixed seeds", "[tuner][slow]") {
  const auto problems = suite::problems();
  std::vector<suite::Cell> cheap, other;
  for (const auto& c : suite::cells(problems)) (c.problem->budget <= 50 ? cheap : other).push_back(c);
  REQUIRE(cheap.size() + other.size() == 22);
  auto results = suite::run_suite(cheap, seeds(20), OptimizerOptions{}, 2, {});
  const auto rest = suite::run_suite(other, seeds(5), OptimizerOptions{}, 2, {});
  results.insert(results.end(), rest.begin(), rest.end());
  std::cout << suite::markdown_table(results);

  std::size_t calibrated = 0;
  for (const auto& r : results) {
    const auto s = suite::summarize(r);
    INFO(r.label << ": median regret " << s.median_tuner << ", random search " << s.median_random);
    CHECK(s.median_tuner < s.median_random);
    if (const auto bar = kBaseline.find(r.label); bar != kBaseline.end()) {
      CHECK(s.median_tuner <= bar->second);
      ++calibrated;
    }
  }
  REQUIRE(calibrated == kBaseline.size());
}
