#!/bin/sh
# Runs inside the VM (scripts/vm/vm.sh run): takes one sched_ext scheduler binary through the
# checks a driver makes (interface recipe in sched_ext-interface.md) and records what it saw
# as key=value lines in /results/LABEL.txt, with the binary's stdout and stderr beside it.
#
#   scheduler_check.sh LABEL serve BINARY [ARGS...]  load, run hackbench under it, SIGINT
#   scheduler_check.sh LABEL eject BINARY [ARGS...]  load, keep the CPUs busy until the
#                                                    kernel ejects it
# Every wait is bounded: the VM's own timeout ends anything that hangs.
label=$1 mode=$2 binary=$3
shift 3
sysfs=/sys/kernel/sched_ext
out=/results/$label

enable_seq_before=$(cat $sysfs/enable_seq)
state_before=$(cat $sysfs/state)
"$binary" "$@" >"$out.stdout" 2>"$out.stderr" &
pid=$!

# Poll (every 100 ms, for at most 120 s: TCG on a busy host is slow) until it serves: state
# enabled and enable_seq grown.
deadline=$(($(date +%s) + 120))
while [ "$(date +%s)" -lt $deadline ] && kill -0 $pid 2>/dev/null; do
  [ "$(cat $sysfs/state)" = enabled ] && [ "$(cat $sysfs/enable_seq)" -gt "$enable_seq_before" ] && break
  sleep 0.1
done
state_serving=$(cat $sysfs/state)
ops_serving=$(cat $sysfs/root/ops 2>/dev/null)
enable_seq_serving=$(cat $sysfs/enable_seq)
# A task started now: awk reads its own scheduling state.
task_ext_enabled=$(awk '/^ext\.enabled/ {print $3}' /proc/self/sched)

if [ "$mode" = serve ]; then
  hackbench -g 2 -l 100 >"$out.hackbench" 2>&1
  hackbench_rc=$?
  kill -INT $pid
else
  hackbench_rc=none
  while kill -0 $pid 2>/dev/null; do hackbench -g 1 -l 20 >/dev/null 2>&1; done
fi
wait $pid
exit_rc=$?

cat >"$out.txt" <<EOF
state_before=$state_before
state_serving=$state_serving
ops_serving=$ops_serving
enable_seq_before=$enable_seq_before
enable_seq_serving=$enable_seq_serving
task_ext_enabled=$task_ext_enabled
hackbench_rc=$hackbench_rc
exit_rc=$exit_rc
state_after=$(cat $sysfs/state)
EOF
