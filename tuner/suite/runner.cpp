#include "tuner/suite/runner.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/encoding.hpp"
#include "tuner/random.hpp"

namespace scxlab::tuner::suite {
namespace {

std::uint64_t label_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// Observed feasibility (the outcome's constraint values, noise included).
bool observed_feasible(const Problem& p, const Outcome& o) {
  for (std::size_t k = 0; k < p.constraints.size(); ++k) {
    const auto& c = p.constraints[k];
    if (c.kind == OutcomeConstraint::Kind::at_most ? o.constraints[k] > c.bound : o.constraints[k] < c.bound) return false;
  }
  return true;
}

// Random search recommends its best observed (noisy) feasible value.
Config random_search(const Cell& cell, stats::Rng& rng, stats::Rng& noise) {
  const auto& p = *cell.problem;
  const Encoding enc(p.space);
  std::vector<double> u(enc.size());
  Config best = p.space.defaults();
  double best_value = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < p.budget; ++i) {
    for (auto& v : u) v = rng.uniform();
    const auto x = enc.from_unit(u);
    if (!enc.feasible(x)) continue;
    const Config c = enc.decode(x);
    const auto o = p.observe(c, cell.sigma * p.noise_scale, noise);
    if (observed_feasible(p, o) && o.objectives[0] < best_value) {
      best_value = o.objectives[0];
      best = c;
    }
  }
  return best;
}

// The tuner's options for `cell`: the caller's settings with the cell's objective, constraints
// and a budget of `evaluations`.
OptimizerOptions tuner_options(const Cell& cell, std::uint64_t seed, const OptimizerOptions& options,
                               std::size_t evaluations) {
  OptimizerOptions o = options;
  o.seed = seed;
  o.budget = {evaluations, 0};
  o.objectives = {cell.problem->objective};
  o.constraints = cell.problem->constraints;
  return o;
}

stats::Rng noise_rng(const Cell& cell, Method method, std::uint64_t seed) {
  return stats::Rng(mix_seed(seed, label_hash(cell.label) + static_cast<std::uint64_t>(method)));
}

double median_of(std::vector<double> v) { return v.empty() ? 0 : stats::median(v); }

std::vector<double> regrets(const std::vector<RunResult>& runs) {
  std::vector<double> out;
  for (const auto& r : runs) out.push_back(r.regret);
  return out;
}

}  // namespace

RunResult run_once(const Cell& cell, Method method, std::uint64_t seed, const OptimizerOptions& options) {
  const auto& p = *cell.problem;
  auto noise = noise_rng(cell, method, seed);
  const auto start = std::chrono::steady_clock::now();
  RunResult r;
  Config recommended;
  if (method == Method::random_search) {
    stats::Rng rng(mix_seed(seed, label_hash(cell.label) ^ 0xabcdefULL));
    recommended = random_search(cell, rng, noise);
    r.evaluations = p.budget;
  } else {
    Optimizer opt(p.space, tuner_options(cell, seed, options, p.budget));
    opt.run([&](const Config& c) { return p.observe(c, cell.sigma * p.noise_scale, noise); });
    recommended = opt.recommend().config;
    r.evaluations = opt.evaluations();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.regret = regret(p, recommended);
  return r;
}

RunResult run_in_flight(const Cell& cell, std::uint64_t seed, const OptimizerOptions& options, std::size_t evaluations,
                        std::size_t workers) {
  const auto& p = *cell.problem;
  auto noise = noise_rng(cell, Method::tuner, seed);
  const auto start = std::chrono::steady_clock::now();
  Optimizer opt(p.space, tuner_options(cell, seed, options, evaluations));
  std::deque<Config> in_flight;
  std::size_t proposed = 0;
  const auto propose_while_room = [&] {
    for (; in_flight.size() < std::max<std::size_t>(workers, 1) && proposed < evaluations; ++proposed)
      in_flight.push_back(opt.suggest({in_flight.begin(), in_flight.end()}).config);
  };
  for (propose_while_room(); !in_flight.empty(); propose_while_room()) {
    opt.observe(in_flight.front(), p.observe(in_flight.front(), cell.sigma * p.noise_scale, noise));
    in_flight.pop_front();
  }
  RunResult r;
  r.evaluations = opt.evaluations();
  r.regret = regret(p, opt.recommend().config);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

CellSummary summarize(const CellResult& r) {
  CellSummary s;
  const auto t = regrets(r.tuner), rnd = regrets(r.random);
  s.median_tuner = median_of(t);
  s.median_random = median_of(rnd);
  s.score = s.median_random > 0 ? s.median_tuner / s.median_random : 0;
  for (const double v : t) {
    s.under_1e3 += v < 1e-3;
    s.under_1e2 += v < 1e-2;
  }
  if (!t.empty()) {
    s.under_1e3 /= static_cast<double>(t.size());
    s.under_1e2 /= static_cast<double>(t.size());
  }
  double seconds = 0, evaluations = 0;
  for (const auto& run : r.tuner) {
    seconds += run.seconds;
    evaluations += static_cast<double>(run.evaluations);
  }
  s.seconds_per_evaluation = evaluations > 0 ? seconds / evaluations : 0;
  return s;
}

std::vector<CellResult> run_suite(const std::vector<Cell>& cells, const std::vector<std::uint64_t>& seeds,
                                  const OptimizerOptions& options, unsigned threads,
                                  const std::function<void(const std::string&)>& progress) {
  std::vector<CellResult> results(cells.size());
  struct Job {
    std::size_t cell, seed;
    Method method;
  };
  std::vector<Job> jobs;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    auto& r = results[c];
    r.label = cells[c].label;
    r.dims = cells[c].problem->space.tuned_count();
    r.budget = cells[c].problem->budget;
    r.seeds = seeds;
    r.tuner.resize(seeds.size());
    r.random.resize(seeds.size());
    for (std::size_t s = 0; s < seeds.size(); ++s) {
      jobs.push_back({c, s, Method::tuner});
      jobs.push_back({c, s, Method::random_search});
    }
  }
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  const auto worker = [&] {
    for (std::size_t j; (j = next.fetch_add(1)) < jobs.size();) {
      const auto& job = jobs[j];
      const auto r = run_once(cells[job.cell], job.method, seeds[job.seed], options);
      const std::lock_guard lock(mu);
      auto& slot = job.method == Method::tuner ? results[job.cell].tuner : results[job.cell].random;
      slot[job.seed] = r;
      if (progress)
        progress(fmt::format("[{}/{}] {} seed {} {}: regret {:.3g} ({:.1f} s)", j + 1, jobs.size(), cells[job.cell].label,
                             seeds[job.seed], job.method == Method::tuner ? "tuner" : "random", r.regret, r.seconds));
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(threads, 1U); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return results;
}

std::string markdown_table(const std::vector<CellResult>& results) {
  std::string out =
      "| cell | d | budget | seeds | median regret | random | Bayesmark score | < 1e-3 | < 1e-2 | s / evaluation |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    const auto s = summarize(r);
    out += fmt::format("| {} | {} | {} | {} | {:.3g} | {:.3g} | {:.3g} | {:.0f}% | {:.0f}% | {:.3f} |\n", r.label, r.dims,
                       r.budget, r.seeds.size(), s.median_tuner, s.median_random, s.score, 100 * s.under_1e3,
                       100 * s.under_1e2, s.seconds_per_evaluation);
  }
  return out;
}

nlohmann::json to_json(const std::vector<CellResult>& results) {
  auto out = nlohmann::json::array();
  for (const auto& r : results) {
    const auto s = summarize(r);
    out.push_back({{"cell", r.label},
                   {"dims", r.dims},
                   {"budget", r.budget},
                   {"seeds", r.seeds},
                   {"tuner_regret", regrets(r.tuner)},
                   {"random_regret", regrets(r.random)},
                   {"median_tuner", s.median_tuner},
                   {"median_random", s.median_random},
                   {"bayesmark_score", s.score},
                   {"under_1e-3", s.under_1e3},
                   {"under_1e-2", s.under_1e2},
                   {"seconds_per_evaluation", s.seconds_per_evaluation}});
  }
  return out;
}

}  // namespace scxlab::tuner::suite
