// `scxlab gate`: did this change make the scheduler worse? A candidate configuration (another
// build: NAME=PATH, or knobs) against a baseline (a configuration run in the same interleaved
// rounds, or a stored run), on a suite's gated metrics (each workload's headline metrics, or
// --metrics), with the statistics of stats/verdict.hpp: Holm over every gated metric, a change
// called only beyond --threshold. While a gated metric is inconclusive it adds interleaved
// rounds, up to --max-reps. Writes the run (results.db/.json/.csv), gate.json, junit.xml,
// summary.md and report.html (the verdict on top) into --out, and records the run in the
// results store (--store) for `scxlab history`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/baseline.hpp"
#include "stats/verdict.hpp"

namespace scxlab::harness {

struct GateOptions {
  std::vector<std::string> candidates;  // "scx_lavd=./target/release/scx_lavd", "scx_lavd:slice_max_us=3000"
  std::string baseline;                 // a configuration spec or NAME=PATH, a run directory, a results.json, a saved name
  std::string baseline_label;           // which configuration of a stored run is the baseline
  std::string suite = "ci";
  std::vector<std::string> workloads;   // instead of the suite
  bool workloads_chosen = false;        // --suite or -w given (a stored baseline's own are used otherwise)
  std::vector<std::string> metrics;     // gate these instead of each workload's headline metrics
  double threshold = 0.03;
  int reps = 5;
  int warmup = 1;
  int max_reps = 20;
  double trial_timeout_s = 600;
  std::optional<double> attach_timeout_s;
  double cooldown_s = 0;
  std::optional<std::uint64_t> seed;
  std::string store = kDefaultStore;
  std::string fleet;                    // run the rounds on the workers of this hardware class ("auto": this host's)
  double wait_s = 600;                  // with fleet: give up after this long without a worker or the store
  bool no_record = false;
  bool allow_other_host = false;
  std::string out_dir;
  std::string resume_dir;
  bool json = false;
  bool quiet = false;
  bool no_bpf = false;
  bool take_over = false;
  std::vector<std::string> manifest_dirs;
};

// 0 pass, 1 regression, 3 inconclusive; 2 (bad input) and 130 (interrupted) come otherwise.
int gate_exit_code(stats::Outcome outcome);

int gate_command(GateOptions options);

}  // namespace scxlab::harness
