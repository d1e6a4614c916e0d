#!/usr/bin/env bash
# How close is scxlab's `messaging` generator to rt-tests hackbench on the same parameters?
# Runs both, interleaved (messaging, hackbench, messaging, ...), N times per configuration,
# through the same runner (scxlab-workload), and prints per configuration the medians, the
# ratio of medians messaging/hackbench (target 0.85..1.15) and its spread: the smallest and
# largest ratio of one interleaved pair.
#   scripts/bench-messaging-fidelity.sh                 # 5 pairs, groups=10 fds=20 loops=300
#   RUNS=9 GROUPS_=20 LOOPS=500 scripts/bench-messaging-fidelity.sh
#   BUILD_DIR=build-me scripts/bench-messaging-fidelity.sh
# Needs hackbench (apt install rt-tests) and a built scxlab-workload
# (cmake --build <dir> --target scxlab-workload). Timings on a loaded machine are noisy:
# report the load average with the numbers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${BUILD_DIR:-$here/../build}"
tool="$build/workloads/scxlab-workload"
runs="${RUNS:-5}"
groups="${GROUPS_:-10}"
fds="${FDS:-20}"
loops="${LOOPS:-300}"

[ -x "$tool" ] || { echo "no $tool: build it with cmake --build $build --target scxlab-workload" >&2; exit 2; }
command -v hackbench >/dev/null || { echo "hackbench is not installed: apt install rt-tests" >&2; exit 2; }

time_of() {  # workload ipc mode -> seconds
  "$tool" run "$1" groups="$groups" fds="$fds" loops="$loops" ipc="$2" mode="$3" --value time_s
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs; $runs interleaved pairs, groups=$groups fds=$fds loops=$loops"
printf '%-20s %12s %12s %8s %18s\n' configuration messaging_s hackbench_s ratio "pair ratio min..max"
status=0
for config in "sockets processes" "pipes threads"; do
  set -- $config
  m=() h=() r=()
  for _ in $(seq "$runs"); do
    mt=$(time_of messaging "$1" "$2")
    ht=$(time_of hackbench "$1" "$2")
    m+=("$mt") h+=("$ht") r+=("$(awk -v a="$mt" -v b="$ht" 'BEGIN {print a / b}')")
  done
  mm=$(printf '%s\n' "${m[@]}" | median)
  hm=$(printf '%s\n' "${h[@]}" | median)
  ratio=$(awk -v a="$mm" -v b="$hm" 'BEGIN {printf "%.3f", a / b}')
  spread=$(printf '%s\n' "${r[@]}" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.3f..%.3f", lo, hi}')
  printf '%-20s %12.4f %12.4f %8s %18s\n' "$1+$2" "$mm" "$hm" "$ratio" "$spread"
  awk -v x="$ratio" 'BEGIN {exit !(x >= 0.85 && x <= 1.15)}' || status=1
done
[ "$status" -eq 0 ] && echo "within +-15%" || echo "OUTSIDE +-15%"
exit "$status"
