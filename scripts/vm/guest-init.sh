#!/bin/busybox sh
# PID 1 of the scxlab VM (installed as /init by `vm.sh initramfs`). It mounts the kernel
# filesystems, runs what /scxlab-vm/ asks for (written per boot by `vm.sh run|shell`), sends
# /results back over the serial console and ALWAYS powers the machine off: on every path
# below, and if this script itself dies the kernel panics and `panic=-1` + QEMU's -no-reboot
# end the VM.
#
# /scxlab-vm/mode     "run" or "shell"
# /scxlab-vm/token    random per boot: the protocol lines below carry it, so a command's own
#                     output can never be mistaken for them
# /scxlab-vm/command  a shell script exec'ing the requested argv (run)
# /scxlab-vm/timeout  seconds the command may run before SIGTERM, then SIGKILL 5 s later (run)
# /scxlab-vm/collect  present when the host wants /results back
#
# Protocol on the console, one line each: "SCXLAB-VM-<token>-RESULTS-BEGIN", base64 of a
# gzipped tar of /results, "SCXLAB-VM-<token>-RESULTS-END", then "SCXLAB-VM-<token>-EXIT <rc>"
# (rc 124: the command timed out).

export PATH=/scxlab/build:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=linux SCXLAB_VM=1 SCXLAB_RESULTS=/results

mount_kernel_filesystems() {
  mount -t devtmpfs devtmpfs /dev
  mkdir -p /dev/pts /dev/shm
  mount -t devpts devpts /dev/pts
  mount -t tmpfs tmpfs /dev/shm
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t debugfs debugfs /sys/kernel/debug
  mount -t tracefs tracefs /sys/kernel/tracing
  mount -t bpf bpf /sys/fs/bpf
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  mount -t tmpfs tmpfs /run
  # No tmpfs over /tmp: the rootfs is in memory already, and the build directory is also
  # placed at its host path, which is under /tmp when a CI clones there.
  chmod 1777 /tmp
}

power_off() {
  sync
  poweroff -f
}

# Runs the command in its own session (so the timeout can kill all it started) and prints
# nothing itself: the command owns the console until it exits.
run_command() {
  local secs pid watchdog rc
  secs=$(cat /scxlab-vm/timeout)
  cd /root
  setsid sh /scxlab-vm/command </dev/null &
  pid=$!
  (
    sleep "$secs"
    echo "vm: command still running after ${secs} s: SIGTERM, SIGKILL 5 s later" >&2
    touch /tmp/.scxlab-vm-timed-out
    kill -TERM -"$pid" 2>/dev/null
    sleep 5
    kill -KILL -"$pid" 2>/dev/null
  ) &
  watchdog=$!
  wait "$pid"
  rc=$?
  kill "$watchdog" 2>/dev/null
  [ -e /tmp/.scxlab-vm-timed-out ] && rc=124
  return "$rc"
}

send_results() {
  local token=$1
  dmesg >/results/kernel.log
  echo "SCXLAB-VM-${token}-RESULTS-BEGIN"
  tar -C /results -cf - . | gzip -1 | base64
  echo "SCXLAB-VM-${token}-RESULTS-END"
}

main() {
  local token rc
  mount_kernel_filesystems
  exec </dev/console >/dev/console 2>&1
  hostname scxlab-vm
  ip link set lo up 2>/dev/null
  mkdir -p /results /root
  token=$(cat /scxlab-vm/token)
  echo "vm: kernel $(uname -r), $(nproc) CPUs, userspace up at $(cut -d' ' -f1 /proc/uptime) s," \
       "sched_ext $(cat /sys/kernel/sched_ext/state 2>/dev/null || echo absent)"

  if [ "$(cat /scxlab-vm/mode)" = shell ]; then
    echo "vm: interactive shell; 'exit' powers off (Ctrl-A x kills QEMU)"
    setsid cttyhack sh -l
    power_off
  fi

  run_command
  rc=$?
  # Kernel messages must not interleave with the protocol lines, and the console must have
  # sent every byte before the power goes: stty sets the line with TCSADRAIN, which waits
  # until the UART has transmitted everything queued.
  dmesg -n 1
  [ -e /scxlab-vm/collect ] && send_results "$token"
  echo "SCXLAB-VM-${token}-EXIT ${rc}"
  stty -echo
  power_off
}

main
power_off
