#!/usr/bin/env bash
# What scxlab's collectors (BPF probes, perf counters, /proc, scx_stats client) cost a
# messaging load, against no collectors and against `perf sched record`, in interleaved
# rounds; prints per-round times, the median ratios with 95% bootstrap intervals, the
# collectors' start/stop cost and how the probes' mean runqueue wait agrees with schedstat's.
#
#   scripts/bench-metrics-overhead.sh [--pairs N] [--no-perf-sched] [--event NAME]... [-- command...]
#
# Default load: hackbench -g 4 -l 2000 (rt-tests), 12 rounds; needs root, hackbench and perf
# (linux-perf). SCXLAB_BUILD_DIR picks the build directory (default: build). Run it on a quiet
# machine: other load widens the intervals (the script cannot tell it from overhead).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../${SCXLAB_BUILD_DIR:-build}"

[ "$(id -u)" = 0 ] || { echo "bench-metrics-overhead: needs root (BPF probes, perf sched record)" >&2; exit 2; }
for tool in hackbench perf; do
  command -v "$tool" >/dev/null || { echo "bench-metrics-overhead: '$tool' is missing (apt install rt-tests linux-perf)" >&2; exit 2; }
done
[ -f "$build/CMakeCache.txt" ] || SCXLAB_BUILD_DIR="${SCXLAB_BUILD_DIR:-build}" "$here/build.sh" >/dev/null
cmake --build "$build" --target bench_metrics_overhead >/dev/null
echo "host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/tests/bench_metrics_overhead" "$@"
