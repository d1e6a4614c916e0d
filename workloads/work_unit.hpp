// Calibrated CPU work: "1 us of work" is the same amount of computation on every run on a
// host, so a frame's cost is stable across repetitions and schedulers. The loop count per
// microsecond is measured once per host (thread CPU time, the fastest of several trials, so
// preemption by other load does not inflate it) and cached in a small JSON file:
//   $SCXLAB_CACHE_DIR, else /var/cache/scxlab (root), else $XDG_CACHE_HOME/scxlab or ~/.cache/scxlab.
// The cache is keyed by the CPU model, the CPU count and the kernel's version below; a
// mismatch recalibrates. Nothing writable: calibrates once per process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scxlab::workloads {

struct WorkCalibration {
  double loops_per_us = 0;
  std::string source;  // "cached in /var/cache/scxlab/work-unit.json", "measured now", ...
};

// Bump when burn() changes: old cached calibrations no longer describe it.
inline constexpr int kWorkKernelVersion = 1;

// Loads, or measures and caches, this host's calibration; memoised for the process (a forked
// child inherits it, so calibrate in the parent before forking).
const WorkCalibration& work_calibration();

// Measures now without the cache.
double measure_loops_per_us();

// The first valid cache in `dirs`, or a measurement written to the first writable one.
WorkCalibration calibrate_with_cache(const std::vector<std::string>& dirs);

// The work kernel: `loops` iterations of dependent integer arithmetic over a small per-thread
// buffer (L1-resident, so memory bandwidth of other load matters little). Returns a value
// that depends on every iteration so the compiler keeps the loop.
std::uint64_t burn(std::uint64_t loops);

// Burns `us` microseconds of calibrated work.
void work_us(double us);

}  // namespace scxlab::workloads
