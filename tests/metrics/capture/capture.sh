#!/bin/sh
# Runs in the VM lab's guest: for each scheduler named, starts it (the real upstream binaries,
# through the dynamic loader they were shipped with, under /opt/scx), waits until sched_ext
# serves it, records its scx_stats with scx_stats_capture around a short hackbench, and stops
# it with SIGINT. Its socket file is left behind, stale, as a real exit leaves it, so the next
# scheduler's capture starts against a stale file. From the host:
#
#   scripts/vm/vm.sh run --timeout 1200 --results OUT \
#     --file <scx-rust folder>:/opt/scx \
#     --file /var/cache/scxlab/vm/config:/boot/config-$(cat /var/cache/scxlab/vm/kernel-version) \
#     --file build/tests/scx_stats_capture:/host/scx_stats_capture \
#     --file tests/metrics/capture/capture.sh:/host/capture.sh \
#     -- sh /host/capture.sh scx_rusty scx_bpfland scx_lavd
out=${SCXLAB_RESULTS:-/results}
state() { cat /sys/kernel/sched_ext/state; }
for sched in "$@"; do
  mkdir -p "$out/$sched"
  /opt/scx/lib/ld-linux-x86-64.so.2 --library-path /opt/scx/lib "/opt/scx/bin/$sched" >"$out/$sched/scheduler.log" 2>&1 &
  pid=$!
  waited=0
  while [ "$(state)" != enabled ] && kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 120 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  echo "$sched: sched_ext $(state) after ${waited} s"
  /host/scx_stats_capture /var/run/scx/root/stats "$out/$sched" -- "$(command -v hackbench)" -g 2 -l 200
  echo "$sched: capture exit $?"
  kill -INT "$pid"
  wait "$pid"
  echo "$sched: scheduler exit $?, sched_ext $(state)"
done
