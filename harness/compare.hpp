// `scxlab compare RUN_A RUN_B`: the scheduler x workload cells two finished runs share (two
// kernels, two machines, before and after an upgrade), B against baseline A, with a
// shootout's statistics per scheduler ("scx_lavd @B" against "scx_lavd @A"). A run is a run
// directory or a results.json, read as the gate reads --baseline (harness/baseline.hpp).
// Prints the table (or --json) and writes the HTML report with -o. The runs were not
// interleaved in time: every output says so.
#pragma once

#include <optional>
#include <string>

namespace scxlab::harness {

struct CompareOptions {
  std::string run_a, run_b;
  std::string html;                  // -o: the HTML report's path
  std::string json;                  // --json FILE ("-": stdout, instead of the table)
  std::optional<double> min_effect;  // default: run A's
};

int compare_command(const CompareOptions& o);

}  // namespace scxlab::harness
