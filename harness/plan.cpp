#include "harness/plan.hpp"

#include <numeric>

#include "stats/inference.hpp"

namespace scxlab::harness {
namespace {

std::vector<std::size_t> shuffled_schedulers(const PlanShape& shape, int round) {
  std::vector<std::size_t> order(shape.schedulers);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // A portable generator, so a seed means the same order with every standard library
  // (std::shuffle is implementation-defined).
  stats::Rng rng(shape.seed ^ (0x51afd7ed558ccd4dULL * static_cast<std::uint64_t>(round + 1)));
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

}  // namespace

std::size_t trials_per_round(const PlanShape& shape) { return shape.schedulers * shape.entries; }

std::vector<PlannedTrial> plan_round(const PlanShape& shape, int round) {
  std::vector<PlannedTrial> trials;
  int seq = static_cast<int>(trials_per_round(shape)) * round;
  for (const auto scheduler : shuffled_schedulers(shape, round)) {
    for (std::size_t entry = 0; entry < shape.entries; ++entry) {
      trials.push_back({seq++, round, round < shape.warmup_rounds, scheduler, entry});
    }
  }
  return trials;
}

std::vector<PlannedTrial> plan_rounds(const PlanShape& shape, int rounds) {
  std::vector<PlannedTrial> all;
  for (int r = 0; r < rounds; ++r) {
    const auto round = plan_round(shape, r);
    all.insert(all.end(), round.begin(), round.end());
  }
  return all;
}

}  // namespace scxlab::harness
