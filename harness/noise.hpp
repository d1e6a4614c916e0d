// `scxlab noise`: how noisy is this runner on the gate's workloads? One configuration run as
// two (A and B) in N interleaved rounds; per gated metric the run-to-run coefficient of
// variation, what the gate's statistics make of this A/A pair (anything but "no significant
// change" is noise the gate would have to live with), and the smallest change the gate calls
// with 95% power at 5, 10 and 20 repetitions (stats::detectable_change). The number a
// runner's owner reads before trusting the gate.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace scxlab::harness {

struct NoiseOptions {
  std::string scheduler;               // a configuration spec; "" = the kernel default
  std::string suite = "ci";
  std::vector<std::string> workloads;
  std::vector<std::string> metrics;    // as the gate's --metrics
  int reps = 10;
  int warmup = 1;
  double threshold = 0.03;
  double trial_timeout_s = 600;
  std::optional<std::uint64_t> seed;
  std::string out_dir;
  bool json = false;
  bool quiet = false;
  bool no_bpf = false;
  bool take_over = false;
  std::vector<std::string> manifest_dirs;
};

int noise_command(NoiseOptions options);

}  // namespace scxlab::harness
