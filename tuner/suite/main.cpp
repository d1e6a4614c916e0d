// tuner_suite: the tuner's benchmark suite S1-S9 against random search.
//   tuner_suite                          every cell, 20 seeds, 2 threads
//   tuner_suite --cells S1,S3 --seeds 5  cells whose label starts with S1 or S3
//   tuner_suite --list                   the cells and their noise scales
#include <iostream>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuner/suite/runner.hpp"

using namespace scxlab::tuner;

namespace {

bool selected(const std::string& label, const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return true;
  for (const auto& p : prefixes) {
    if (label == p || label.rfind(p + " ", 0) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs the tuner's benchmark suite (S1-S9) against random search"};
  std::vector<std::string> wanted;
  unsigned seeds = 20, first_seed = 1, threads = 2;
  std::string json_path;
  bool list = false, quiet = false;
  OptimizerOptions options;
  app.add_option("--cells", wanted, "cells to run: a label (\"S3 sigma0.1\") or a problem id (S3: all its cells)")
      ->delimiter(',');
  app.add_option("--seeds", seeds, "seeds per cell")->check(CLI::PositiveNumber);
  app.add_option("--first-seed", first_seed, "first seed (seeds are consecutive)");
  app.add_option("--threads", threads, "runs in parallel")->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "write per-seed regrets and summaries to this file");
  app.add_option("--rerun-every", options.rerun_every, "tuner option rerun_every (0: no incumbent re-runs)");
  app.add_option("--noise-floor", options.gp.noise_floor, "tuner option gp.noise_floor");
  app.add_flag("--list", list, "list the cells and exit");
  app.add_flag("--quiet", quiet, "no per-run progress lines");
  CLI11_PARSE(app, argc, argv);

  const auto problems = suite::problems();
  std::vector<suite::Cell> cells;
  for (const auto& c : suite::cells(problems)) {
    if (selected(c.label, wanted)) cells.push_back(c);
  }
  if (cells.empty()) {
    std::cerr << "no cell matches --cells; see --list\n";
    return 2;
  }
  if (list) {
    for (const auto& c : cells)
      fmt::print("{:<16} {:<55} d={:<2} budget={:<3} f*={:.6f} noise sd={:.4g}\n", c.label, c.problem->name,
                 c.problem->space.tuned_count(), c.problem->budget, c.problem->f_star, c.sigma * c.problem->noise_scale);
    return 0;
  }
  std::vector<std::uint64_t> seed_list;
  for (unsigned s = 0; s < seeds; ++s) seed_list.push_back(first_seed + s);
  const auto results = suite::run_suite(cells, seed_list, options, threads, [&](const std::string& line) {
    if (!quiet) std::cerr << line << '\n';
  });
  std::cout << suite::markdown_table(results);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << suite::to_json(results).dump(1) << '\n';
    if (!out) {
      std::cerr << "cannot write " << json_path << '\n';
      return 1;
    }
  }
  return 0;
}
