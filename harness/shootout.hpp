// `scxlab shootout`: every scheduler x every workload entry, interleaved rounds, committed
// trial by trial, then the statistics, the terminal table, and the JSON/CSV/HTML files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scxlab::harness {

struct ShootoutOptions {
  std::vector<std::string> schedulers;  // "eevdf", "scx_lavd:gaming", "eevdf@twin"; empty = all available
  std::string suite = "default";
  std::vector<std::string> workloads;   // "messaging:groups=4,loops=100"; replaces the suite
  int reps = 5;
  int warmup = 1;
  std::optional<double> target_ci;      // relative half-width, e.g. 0.03
  int max_reps = 20;
  std::optional<double> time_budget_s;
  double trial_timeout_s = 600;
  std::optional<double> attach_timeout_s;  // default: each scheduler manifest's own bound
  double cooldown_s = 0;
  std::optional<std::uint64_t> seed;
  std::string baseline;                 // label; "" = the kernel default (or the first)
  double min_effect = 0.02;
  std::string out_dir;
  std::string resume_dir;
  std::string store;                    // also record the finished run here ("" = the run directory only)
  std::string fleet;                    // run the rounds on the workers of this hardware class ("auto": this host's)
  double wait_s = 600;                  // with fleet: give up after this long without a worker or the store
  bool json = false;
  bool quiet = false;
  bool no_bpf = false;
  std::vector<std::string> perf_events;
  bool take_over = false;
  std::vector<std::string> manifest_dirs;
};


// Returns the exit code (0, 2 for bad input, 130 when interrupted).
int shootout_command(ShootoutOptions options);

// ./scxlab-results/<YYYYmmdd-HHMMSS>-<host>
std::string default_out_dir(const std::string& kind);

// Creates the directory and proves it writable; throws UsageError naming the fix.
void prepare_out_dir(const std::string& dir);

}  // namespace scxlab::harness
