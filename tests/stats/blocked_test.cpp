// Comparisons blocked by host (a fleet's rounds): van Elteren's test, the per-host effect and
// its stratified bootstrap, and when analyse() uses them.
#include <string>
#include <vector>

#include "catch.hpp"
#include "stats/metric.hpp"
#include "stats/analysis.hpp"
#include "stats/inference.hpp"

using namespace scxlab;
using namespace scxlab::stats;

namespace {

// n values around `center`, spread by `spread` (relative), in a fixed, shuffled-looking order.
std::vector<double> around(double center, double spread, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(center * (1 + spread * (((i * 7) % n) / static_cast<double>(n - 1) - 0.5)));
  return v;
}

void add(std::vector<Observation>& obs, const std::string& scheduler, const std::string& host,
         const std::vector<double>& values) {
  for (double v : values) obs.push_back({"w", scheduler, "time_s", "s", Direction::lower_is_better, true, v, host});
}

Comparison candidate_vs_base(const std::vector<Observation>& obs) {
  AnalysisOptions options;
  options.baseline = "base";
  return *analyse(obs, options).workloads.at(0).schedulers.at(1).metrics.at(0).vs_baseline;
}

}  // namespace

TEST_CASE("van Elteren's test matches its formula computed by hand") {
  // Two blocks of complete separation: T = 12/7, E = 3, Var = 3/14.
  const std::vector<Block> separated{{{1, 2, 3}, {4, 5, 6}}, {{1, 2, 3}, {4, 5, 6}}};
  CHECK(van_elteren_p(separated) == Approx(0.005478553242547366).epsilon(1e-12));
  // Unequal sizes and ties within a block.
  const std::vector<Block> tied{{{10, 20, 30, 40}, {15, 25, 35}}, {{1, 1, 2}, {2, 3, 3, 4}}};
  CHECK(van_elteren_p(tied) == Approx(0.16337994666084404).epsilon(1e-12));
  // A block with one side adds nothing; no block left, or everything tied: 1.
  const std::vector<Block> with_half{{{1, 2, 3}, {4, 5, 6}}, {{1, 2, 3}, {4, 5, 6}}, {{100, 200}, {}}};
  CHECK(van_elteren_p(with_half) == van_elteren_p(separated));
  CHECK(van_elteren_p(std::vector<Block>{{{1, 2}, {}}}) == 1);
  CHECK(van_elteren_p(std::vector<Block>{{{5, 5, 5}, {5, 5}}}) == 1);
}

TEST_CASE("the blocked ratio is the weighted mean of each host's ratio of medians") {
  // Host 1: 10 -> 11 (1.1), 2 v 2 (weight 1); host 2: 100 -> 120 (1.2), 4 v 4 (weight 2).
  const std::vector<Block> blocks{{{9, 11}, {10, 12}}, {{90, 100, 100, 110}, {110, 120, 120, 130}}};
  CHECK(*blocked_ratio(blocks) == Approx((1.1 + 2 * 1.2) / 3));
  CHECK(*blocked_difference(blocks) == Approx((1 + 2 * 20.0) / 3));
  CHECK_FALSE(blocked_ratio(std::vector<Block>{{{0, 0}, {1, 2}}}));
  CHECK_FALSE(blocked_ratio(std::vector<Block>{{{1, 2}, {}}}));
  Rng rng(7);
  const auto ci = bootstrap_blocked_ratio_interval(blocks, 2000, 0.95, rng);
  CHECK(ci.low <= *blocked_ratio(blocks));
  CHECK(ci.high >= *blocked_ratio(blocks));
  CHECK(ci.low >= 1.0);  // every resample of every host has the candidate slower
}

TEST_CASE("a 5% regression on two hosts of different speed is called when blocked by host") {
  // Host b is twice as slow as host a; on each the candidate takes 5% longer (spread 2%).
  std::vector<Observation> obs;
  add(obs, "base", "a", around(1.0, 0.02, 6));
  add(obs, "cand", "a", around(1.05, 0.02, 6));
  add(obs, "base", "b", around(2.0, 0.02, 6));
  add(obs, "cand", "b", around(2.1, 0.02, 6));
  const auto blocked = candidate_vs_base(obs);
  CHECK(blocked.hosts == 2);
  CHECK(blocked.call == Call::worse);
  CHECK(blocked.ratio == Approx(1.05).epsilon(0.01));
  CHECK(blocked.reason.find("blocked by host (2 hosts)") != std::string::npos);

  // The same values without their hosts: the host's doubling hides the 5%.
  for (auto& o : obs) o.stratum.clear();
  const auto pooled = candidate_vs_base(obs);
  CHECK(pooled.hosts == 0);
  CHECK(pooled.call != Call::worse);
}

TEST_CASE("samples from one host, or hosts that each measured one side, are compared whole") {
  std::vector<Observation> one_host, crossed_out;
  add(one_host, "base", "a", around(1.0, 0.02, 6));
  add(one_host, "cand", "a", around(1.05, 0.02, 6));
  add(crossed_out, "base", "a", around(1.0, 0.02, 6));  // a stored baseline from another host
  add(crossed_out, "cand", "b", around(1.05, 0.02, 6));
  std::vector<Observation> no_host = one_host;
  for (auto& o : no_host) o.stratum.clear();
  const auto a = candidate_vs_base(one_host);
  const auto unknown = candidate_vs_base(no_host);
  CHECK(a.hosts == 0);
  CHECK(a.p_value == unknown.p_value);
  CHECK(a.ratio_ci_low == unknown.ratio_ci_low);
  CHECK(candidate_vs_base(crossed_out).hosts == 0);
}
