#!/usr/bin/env bash
# Sanity figures of the built-in generators on this host (run it on an idle machine; on a
# shared one, report the load average with the numbers):
#   request: the matrix work alone (sleep 0, no lock, one worker), then one worker with the
#            default 100 us sleep (expect work + 100 us + timer slack), then the default
#            (one worker per CPU): wakeup p50 should be in the tens of microseconds or less;
#   frames:  60 FPS idle (expect >= 99% deadlines met) and under `hogs` and `build` (the lows
#            and stutter should degrade visibly).
#   BUILD_DIR=build-me DURATION=10 scripts/bench-workload-checks.sh
# Needs jq and a built scxlab-workload (cmake --build <dir> --target scxlab-workload).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="${BUILD_DIR:-$here/../build}/workloads/scxlab-workload"
duration="${DURATION:-10}"
[ -x "$tool" ] || { echo "no $tool: build it with cmake --build <dir> --target scxlab-workload" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is not installed: apt install jq" >&2; exit 2; }

# run LABEL WORKLOAD PARAMS... -> prints LABEL and the chosen metrics (METRICS, space-separated)
show() {
  local label=$1; shift
  local json
  json=$("$tool" run "$@" --json)
  if [ "$(jq -r .status <<<"$json")" != ok ]; then
    echo "$label: $(jq -r '.status + ": " + .reason' <<<"$json")"
    return
  fi
  printf '%-22s' "$label"
  for m in $METRICS; do printf ' %s=%.2f' "$m" "$(jq -r ".metrics[\"$m\"].value" <<<"$json")"; done
  echo
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $duration s per run"
METRICS="request_latency_us.p50 request_latency_us.p99 wakeup_latency_us.p50 wakeup_latency_us.p99 rps.avg"
show "request work only" request sleep_us=0 lock=false workers=1 runtime_s="$duration" warmup_s=1
show "request 1 worker" request workers=1 runtime_s="$duration" warmup_s=1
show "request default" request runtime_s="$duration" warmup_s=1
METRICS="fps.avg fps.low_1pct_time_weighted fps.low_1pct_frame_weighted frame_time_ms.p99 stutter_count stutter_time_pct deadline_met_pct audio.deadline_misses"
for background in none hogs build; do
  show "frames 60 $background" frames target_fps=60 duration_s="$duration" warmup_s=1 background="$background"
done
