#include <map>
#include <set>

#include "catch.hpp"
#include "harness/plan.hpp"

using scxlab::harness::PlanShape;
using scxlab::harness::plan_round;
using scxlab::harness::plan_rounds;

TEST_CASE("every round runs every scheduler x entry exactly once, schedulers contiguous", "[plan]") {
  const PlanShape shape{4, 3, 1, 1234};
  for (int round = 0; round < 6; ++round) {
    const auto trials = plan_round(shape, round);
    REQUIRE(trials.size() == 12);
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      seen.insert({trials[i].scheduler, trials[i].entry});
      CHECK(trials[i].round == round);
      CHECK(trials[i].warmup == (round == 0));
      CHECK(trials[i].entry == i % 3);                           // entries in suite order
      CHECK(trials[i].scheduler == trials[i - i % 3].scheduler);  // one start per scheduler
    }
    CHECK(seen.size() == 12);
  }
}

TEST_CASE("seqs are consecutive across rounds and stable for a seed", "[plan]") {
  const PlanShape shape{3, 2, 2, 99};
  const auto all = plan_rounds(shape, 5);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == static_cast<int>(i));
  CHECK(plan_rounds(shape, 5)[7].scheduler == all[7].scheduler);
}

TEST_CASE("the scheduler order is shuffled per round and every order position is used", "[plan]") {
  const PlanShape shape{3, 1, 0, 7};
  std::map<std::size_t, std::set<std::size_t>> positions;  // scheduler -> positions it took
  std::set<std::vector<std::size_t>> orders;
  for (int round = 0; round < 40; ++round) {
    std::vector<std::size_t> order;
    for (const auto& t : plan_round(shape, round)) order.push_back(t.scheduler);
    orders.insert(order);
    for (std::size_t p = 0; p < order.size(); ++p) positions[order[p]].insert(p);
  }
  CHECK(orders.size() > 3);  // not one fixed order (6 possible)
  for (const auto& [scheduler, where] : positions) CHECK(where.size() == 3);
  const PlanShape other_seed{3, 1, 0, 8};
  bool differs = false;
  for (int round = 0; round < 10; ++round) {
    differs |= plan_round(shape, round)[0].scheduler != plan_round(other_seed, round)[0].scheduler;
  }
  CHECK(differs);
}
