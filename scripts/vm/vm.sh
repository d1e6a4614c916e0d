#!/usr/bin/env bash
# scxlab VM lab: a Debian kernel with sched_ext (CONFIG_SCHED_CLASS_EXT=y) under QEMU, for
# hosts whose own kernel lacks it. Correctness only: never take performance numbers from it.
#
#   vm.sh fetch [--refresh]
#       Finds the newest Debian kernel with CONFIG_SCHED_CLASS_EXT=y in the suites of the
#       Debian mirror this machine's apt already uses (default: unstable testing
#       stable-backports; set SCXLAB_VM_SUITES to change), checks its config file, and caches
#       it with the matching linux-bpf-dev's vmlinux.h under /var/cache/scxlab/vm/:
#         vmlinuz  config  vmlinux.h  kernel-version  kernel-info  (+ vmlinux, the
#         uncompressed PVH image QEMU boots faster)
#       A private apt configuration is used; the host's apt state is not touched. Does
#       nothing when cached; --refresh looks for a newer kernel. Needs root.
#       SCXLAB_VM_CACHE moves the cache; SCXLAB_VM_MIRROR names a Debian mirror on hosts
#       whose apt has none (e.g. Ubuntu).
#   vm.sh examples [--refresh]
#       Builds the cached kernel's own example sched_ext schedulers (tools/sched_ext:
#       scx_simple, scx_central, scx_flatcg, scx_pair, scx_userland, scx_qmap, scx_cpu0,
#       scx_sdt) from Debian's linux-source package of the same version and suite, against the
#       kernel's BTF, with clang >= 16 and the host's bpftool, into
#       <cache>/examples/<kernel-version>/: bin/, status ("built NAME" or "failed NAME: why"),
#       build.log, info. Every image then carries them on PATH. Does nothing when built;
#       --refresh builds again. Needs root.
#   vm.sh initramfs [--build-dir DIR] [--tests]
#       Builds (only when an input changed) and prints the path of the base initramfs:
#       busybox, hackbench, stress-ng, bpftool, the build directory's top-level executables
#       (build/scxlab, build/scxlab_fifo, ...; --tests adds DIR/tests/test_*) and their
#       shared libraries, the kernel's config as /boot/config-<version>, and the kernel's
#       example schedulers when `vm.sh examples` built them (in /usr/local/sbin). Cached as
#       DIR/vm/initramfs[-tests].cpio.zst.
#   vm.sh run [OPTIONS] -- COMMAND [ARG...]
#       Boots the VM, runs COMMAND (exec'd as given: use `sh -c '...'` for shell syntax) as
#       root, streams its output (stdout and stderr both) to stdout, brings back /results and
#       exits with COMMAND's exit code. Always powers off. Options:
#         --timeout S          SIGTERM the command after S seconds (default 300), SIGKILL 5 s
#                              later; QEMU itself is killed at S + SCXLAB_VM_BOOT_GRACE
#                              (default 120) seconds if the guest hangs
#         --file HOST[:GUEST]  copy a file or directory in (default GUEST: /host/<name>);
#                              repeatable; an ELF file brings its shared libraries along
#         --scx-dir DIR        sched_ext scheduler binaries to run in the guest: the scx_*
#                              executables of DIR/bin (or of DIR itself, e.g. a cargo
#                              target/release), on PATH in the guest as their own names.
#                              When DIR/lib has its own dynamic loader (ld-linux-x86-64.so.2),
#                              each runs through it with DIR/lib as its library path (binaries
#                              built for another glibc); else with the host's libraries.
#                              "Test my scheduler build on a sched_ext kernel I do not run."
#         --results DIR        fetch the guest's /results into DIR (created; files of the same
#                              name are overwritten), plus kernel.log (the guest's dmesg at
#                              the end) and console.log (what was printed). Without it
#                              /results is not sent back.
#         --build-dir DIR      build tree to ship (default: $SCXLAB_BUILD_DIR or build)
#         --tests              also ship DIR/tests/test_* (Catch2 test binaries)
#         --smp N  --mem MIB   guest size (default 2 CPUs, 2048 MiB)
#         --append ARGS        extra kernel command-line arguments
#   vm.sh shell [--file ...] [--scx-dir DIR] [--build-dir DIR] [--tests] [--smp N] [--mem MIB] [--append ARGS]
#       Interactive busybox shell on the serial console; `exit` powers off.
#   vm.sh info
#       The cached kernel, the accelerator QEMU will use and the cache paths.
#
# Inside the guest: the build directory's executables are on PATH and at /scxlab/build/ and
# at their host path (so paths compiled into test binaries work); hackbench, stress-ng and
# bpftool are on PATH; devtmpfs, proc, sysfs,
# debugfs, tracefs, bpffs, cgroup2 and /run are mounted (/tmp is on the in-memory rootfs); SCXLAB_VM=1 and
# SCXLAB_RESULTS=/results are set; cwd is /root.
#
# Exit codes of run: COMMAND's own; 124 COMMAND (or the whole guest) timed out; 125 the VM
# failed (QEMU error, kernel panic, no exit status came back); 2 bad usage or nothing fetched;
# 130/143 vm.sh got SIGINT/SIGTERM (the VM is stopped first).
# stderr carries vm.sh's own lines ("vm.sh: kernel <version> ...", "vm.sh: exit status N");
# the guest prints "vm: kernel <version>, N CPUs, ..., sched_ext <state>" first.
#
# Accelerator: KVM is tried once per (QEMU, host kernel, VM kernel, CPU model) with a probe
# boot and TCG is used when it fails (nested KVM fails on some clouds); SCXLAB_VM_ACCEL=kvm|tcg
# forces one. Nothing here needs kernel modules: files travel in the initramfs and results
# over the serial console, so the kernel's built-in drivers suffice.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache=${SCXLAB_VM_CACHE:-/var/cache/scxlab/vm}
suites=${SCXLAB_VM_SUITES:-unstable testing stable-backports}
boot_grace=${SCXLAB_VM_BOOT_GRACE:-120}
initramfs_format=1   # bump when the initramfs layout changes, to invalidate caches

say() { echo "vm.sh: $*" >&2; }
die() { say "$*"; exit 2; }

# ---------------------------------------------------------------- fetch

# The Debian archive URI this machine's apt uses: apt's own view first, then the files.
debian_mirror() {
  local uri
  if [ -n "${SCXLAB_VM_MIRROR:-}" ]; then echo "$SCXLAB_VM_MIRROR"; return; fi
  uri=$(apt-get indextargets --format '$(LABEL)|$(REPO_URI)' 2>/dev/null \
        | awk -F'|' '$1 == "Debian" {print $2; exit}')
  [ -n "$uri" ] || uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources \
        | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list \
        | awk '{for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' \
        | grep -v -- '-security' | head -n1 || true)
  [ -n "$uri" ] || die "no Debian mirror in this machine's apt sources; set SCXLAB_VM_MIRROR=<Debian archive URI>"
  echo "${uri%/}"
}

# apt-get / apt-cache with a private state under $apt_dir; the host's lists, cache and
# preferences are neither read for candidates nor written.
apt_private() {
  local tool=$1; shift
  "$tool" -q -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
    -o APT::Architectures=amd64 -o Acquire::Languages=none -o APT::Sandbox::User=root "$@"
}

update_private_lists() {
  local s
  for s in "$@"; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
  done >"$apt_dir/sources.list"
  apt_private apt-get update >/dev/null
}

# Prints "<uname -r> <layout>" for a linux-image-amd64 version, layout "split" (7.x: the
# kernel in linux-binary-*, its config in linux-base-*) or "image" (one linux-image-* package).
kernel_of_meta() {
  local abi
  abi=$(apt_private apt-cache show "linux-image-amd64=$1" | sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -n1)
  abi=${abi#linux-image-}
  [ -n "$abi" ] || return 1
  if apt_private apt-cache show "linux-binary-$abi=$1" >/dev/null 2>&1; then echo "$abi split"; else echo "$abi image"; fi
}

# Downloads package=version into $apt_dir/debs, extracts one member to DEST, records the size.
extract_from_package() {
  local pkg=$1 member=$2 dest=$3 deb
  (cd "$apt_dir/debs" && apt_private apt-get download "$pkg" >/dev/null)
  deb=$(ls "$apt_dir/debs/${pkg%%=*}"_*.deb)
  downloads+=("${pkg%%=*} $(numfmt --to=iec --suffix=B "$(stat -c %s "$deb")")")
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$member" >"$dest"
}

# Tries one linux-image-amd64 version: 0 and the files in $apt_dir/out when it has sched_ext.
try_kernel() {
  local ver=$1 abi layout config_member kernel_pkg kernel_member
  read -r abi layout < <(kernel_of_meta "$ver") || return 1
  if [ "$layout" = split ]; then
    config_member=usr/lib/modules/$abi/config; kernel_member=usr/lib/modules/$abi/vmlinuz
    extract_from_package "linux-base-$abi=$ver" "$config_member" "$apt_dir/out/config"
    kernel_pkg=linux-binary-$abi
  else
    config_member=boot/config-$abi; kernel_member=boot/vmlinuz-$abi
    extract_from_package "linux-image-$abi=$ver" "$config_member" "$apt_dir/out/config"
    kernel_pkg=linux-image-$abi
  fi
  if ! grep -qx 'CONFIG_SCHED_CLASS_EXT=y' "$apt_dir/out/config"; then
    say "$abi ($ver): no CONFIG_SCHED_CLASS_EXT=y in its config, trying an older one"
    return 1
  fi
  if ! apt_private apt-cache show "linux-bpf-dev=$ver" >/dev/null 2>&1; then
    say "$abi ($ver): no linux-bpf-dev $ver (its vmlinux.h must match the kernel), trying an older one"
    return 1
  fi
  extract_from_package "$kernel_pkg=$ver" "$kernel_member" "$apt_dir/out/vmlinuz"
  extract_from_package "linux-bpf-dev=$ver" usr/include/x86_64-linux-gnu/linux/bpf/vmlinux.h "$apt_dir/out/vmlinux.h"
  grep -q '^struct sched_ext_ops {' "$apt_dir/out/vmlinux.h" \
    || die "linux-bpf-dev $ver: vmlinux.h has no struct sched_ext_ops"
  echo "$abi" >"$apt_dir/out/kernel-version"
  {
    echo "kernel=$abi"
    echo "package_version=$ver"
    echo "suite=$(apt_private apt-cache madison linux-image-amd64 | awk -F'|' -v v="$ver" '{gsub(/ /, "", $2)} $2 == v {split($3, f, " "); print f[2]; exit}')"
    echo "mirror=$mirror"
    echo "fetched=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'download=%s\n' "${downloads[@]}"
  } >"$apt_dir/out/kernel-info"
}

# Debian versions, newest first (apt-cache madison lists them by pin priority, not version).
newest_first() {
  local -a sorted=()
  local v i
  for v in "$@"; do
    for ((i = ${#sorted[@]}; i > 0; i--)); do
      dpkg --compare-versions "$v" gt "${sorted[i-1]}" || break
      sorted[i]=${sorted[i-1]}
    done
    sorted[i]=$v
  done
  printf '%s\n' "${sorted[@]}"
}

fetch_is_cached() {
  local f
  for f in vmlinuz config vmlinux.h kernel-version kernel-info; do [ -s "$cache/$f" ] || return 1; done
}

cmd_fetch() {
  local refresh=0 ver mirror apt_dir f
  local -a downloads=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --refresh) refresh=1 ;;
      *) die "fetch: unknown option '$1' (valid: --refresh)" ;;
    esac
    shift
  done
  if [ "$refresh" = 0 ] && fetch_is_cached; then
    say "kernel $(cat "$cache/kernel-version") already cached in $cache (--refresh looks for a newer one)"
    [ -w "$cache" ] && prepare_pvh_kernel
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "fetch must run as root (it writes $cache)"
  [ "$(dpkg --print-architecture)" = amd64 ] || die "the VM lab runs x86_64 guests with this host's binaries: amd64 hosts only"
  mkdir -p "$cache/work"
  exec 8>"$cache/work/fetch.lock"
  flock 8
  if [ "$refresh" = 0 ] && fetch_is_cached; then return 0; fi   # another fetch just finished
  mirror=$(debian_mirror)
  apt_dir=$(mktemp -d "$cache/work/apt.XXXXXX")
  trap "rm -rf '$apt_dir'" EXIT
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$apt_dir/out"
  say "looking for the newest kernel with sched_ext in $suites at $mirror"
  update_private_lists $suites
  # A mirror may serve a suite's alias (stable-backports) and its codename (trixie-backports)
  # from different snapshots: look at both.
  update_private_lists $(printf '%s\n' $suites $(sed -n 's/^Codename: //p' "$apt_dir"/lists/*_InRelease) | sort -u)
  local found=0
  for ver in $(newest_first $(apt_private apt-cache madison linux-image-amd64 | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -u)); do
    if try_kernel "$ver"; then found=1; break; fi
  done
  [ "$found" = 1 ] || die "no kernel with CONFIG_SCHED_CLASS_EXT=y in $suites (set SCXLAB_VM_SUITES to add e.g. experimental)"
  # kernel-version goes in last: the cache is complete once it is there.
  for f in vmlinuz config vmlinux.h kernel-info kernel-version; do
    cp "$apt_dir/out/$f" "$cache/$f.tmp"
    mv -f "$cache/$f.tmp" "$cache/$f"
  done
  prepare_pvh_kernel
  say "cached kernel $(cat "$cache/kernel-version") ($(sed -n 's/^suite=//p' "$cache/kernel-info")) in $cache;" \
      "downloaded: $(sed -n 's/^download=//p' "$cache/kernel-info" | paste -sd, | sed 's/,/, /g')"
}

# QEMU can start a CONFIG_PVH kernel from its uncompressed ELF image, which saves the
# bzImage's self-decompression: seconds under TCG on every boot. Debian compresses with zstd;
# the ELF is cut out of vmlinuz from the zstd frame's magic. Without it, vmlinuz is booted.
prepare_pvh_kernel() {
  local offset
  [ -s "$cache/vmlinux" ] && [ "$cache/vmlinux" -nt "$cache/vmlinuz" ] && return 0
  rm -f "$cache/vmlinux"
  grep -qx 'CONFIG_PVH=y' "$cache/config" || return 0
  offset=$(grep -aob $'\x28\xb5\x2f\xfd' "$cache/vmlinuz" | head -n1 | cut -d: -f1)
  [ -n "$offset" ] || return 0
  # zstd complains about the bytes after the frame (the bzImage's trailer): the ELF header
  # check below decides.
  tail -c +"$((offset + 1))" "$cache/vmlinuz" | zstd -dcq >"$cache/vmlinux.tmp" 2>/dev/null || true
  if is_elf "$cache/vmlinux.tmp"; then
    mv -f "$cache/vmlinux.tmp" "$cache/vmlinux"
  else
    rm -f "$cache/vmlinux.tmp"
  fi
}

# The image QEMU boots: the uncompressed PVH ELF when there is one.
boot_kernel() {
  if [ -s "$cache/vmlinux" ]; then echo "$cache/vmlinux"; else echo "$cache/vmlinuz"; fi
}

require_kernel() {
  fetch_is_cached || die "no VM kernel in $cache: run 'sudo $here/vm.sh fetch' first"
}

# ---------------------------------------------------------------- kernel example schedulers

examples_dir() { echo "$cache/examples/$(cat "$cache/kernel-version")"; }

# The version suffix ("-19") of the newest clang with lld: tools/sched_ext needs clang >= 16.
newest_clang_suffix() {
  local v
  for v in 24 23 22 21 20 19 18 17 16; do
    if command -v "clang-$v" >/dev/null && command -v "ld.lld-$v" >/dev/null; then echo "-$v"; return 0; fi
  done
  return 1
}

# Builds the cached kernel's own example schedulers (tools/sched_ext of Debian's linux-source
# package of the same version) against its BTF, with libbpf from the same tree and the host's
# bpftool. A scheduler that does not build is listed in `status` with its first error; the
# others are kept.
cmd_examples() {
  local refresh=0 out suffix mirror apt_dir major ver suite src name line f
  local -a downloads=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --refresh) refresh=1 ;;
      *) die "examples: unknown option '$1' (valid: --refresh)" ;;
    esac
    shift
  done
  require_kernel
  out=$(examples_dir)
  if [ "$refresh" = 0 ] && [ -s "$out/status" ]; then
    say "kernel example schedulers already built in $out: $(grep -c '^built ' "$out/status") built"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "examples must run as root (it writes $cache)"
  [ -s "$cache/vmlinux" ] || die "no uncompressed kernel image ($cache/vmlinux) to read BTF from: run vm.sh fetch --refresh"
  suffix=$(newest_clang_suffix) || die "building the kernel's example schedulers needs clang >= 16 with lld" \
    "(e.g. apt-get install clang-19 lld-19 llvm-19; scripts/setup.sh --test installs them)"
  mkdir -p "$cache/work"
  exec 8>"$cache/work/examples.lock"
  flock 8
  mirror=$(sed -n 's/^mirror=//p' "$cache/kernel-info")
  ver=$(sed -n 's/^package_version=//p' "$cache/kernel-info")
  suite=$(sed -n 's/^suite=//p' "$cache/kernel-info"); suite=${suite%%/*}
  major=$(cut -d. -f1,2 "$cache/kernel-version")
  apt_dir=$(mktemp -d "$cache/work/apt.XXXXXX")
  trap "rm -rf '$apt_dir'" EXIT
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$apt_dir/out" "$apt_dir/obj"
  say "building the example schedulers of linux-source-$major $ver ($suite) with clang$suffix"
  update_private_lists "$suite"
  extract_from_package "linux-source-$major=$ver" "usr/src/linux-source-$major.tar.xz" "$apt_dir/src.tar.xz"
  src=$apt_dir/linux-source-$major
  tar -xJf "$apt_dir/src.tar.xz" -C "$apt_dir" "linux-source-$major/tools" "linux-source-$major/include/uapi" \
    "linux-source-$major/scripts"
  rm -f "$apt_dir/src.tar.xz"
  # -k: one scheduler that does not build must not stop the others.
  make -k -C "$src/tools/sched_ext" LLVM="$suffix" BPFTOOL="$(tool_path bpftool)" VMLINUX_BTF="$cache/vmlinux" \
    O="$apt_dir/obj" -j"$(nproc)" >"$apt_dir/out/build.log" 2>&1 || true
  mkdir -p "$apt_dir/out/bin"
  for f in "$src"/tools/sched_ext/scx_*.bpf.c; do
    name=$(basename "$f" .bpf.c)
    if [ -x "$apt_dir/obj/build/bin/$name" ]; then
      cp "$apt_dir/obj/build/bin/$name" "$apt_dir/out/bin/$name"
      echo "built $name"
    else
      line=$(grep -m1 -E "(error|Error)" "$apt_dir/out/build.log" | grep -F "$name" || true)
      echo "failed $name: ${line:-see build.log}"
    fi
  done >"$apt_dir/out/status"
  {
    echo "source=linux-source-$major $ver ($suite)"
    echo "clang=$("clang$suffix" --version | head -n1)"
    echo "bpftool=$("$(tool_path bpftool)" version | head -n1)"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$apt_dir/out/info"
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  mv "$apt_dir/out" "$out"
  say "kernel example schedulers in $out/bin: $(sed -n 's/^built //p' "$out/status" | paste -sd' ')" \
      "$(grep -q '^failed ' "$out/status" && echo "; not built: $(sed -n 's/^failed \([^:]*\):.*/\1/p' "$out/status" | paste -sd' ') (see $out/build.log)")"
}

# ---------------------------------------------------------------- initramfs

# Absolute paths of the shared libraries (and the dynamic loader) an ELF file needs.
library_closure() {
  ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' || true
}

is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# Copies SRC to ROOT/DEST; ELF files lose their debug sections (they are big and unused in
# the guest) and bring their shared libraries to the same paths under ROOT.
stage_file() {
  local src=$1 root=$2 dest=$3 lib
  mkdir -p "$root/$(dirname "$dest")"
  if [ -d "$src" ]; then
    cp -a "$src" "$root/$dest"
    return
  fi
  if is_elf "$src"; then
    objcopy --strip-debug "$src" "$root/$dest" 2>/dev/null || cp -L "$src" "$root/$dest"
    chmod --reference="$src" "$root/$dest"
    for lib in $(library_closure "$src"); do
      [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
    done
  else
    cp -L "$src" "$root/$dest"
  fi
}

build_dir_abs() {
  local dir=${build_dir:-${SCXLAB_BUILD_DIR:-build}}
  case "$dir" in /*) ;; *) dir="$repo/$dir" ;; esac
  [ -d "$dir" ] || die "build directory '$dir' does not exist (build first: scripts/build.sh, or pass --build-dir)"
  (cd "$dir" && pwd)
}

# The host programs every image carries, then the build tree's executables.
initramfs_inputs() {
  find "$build" -maxdepth 1 -type f -perm -u+x | sort
  if [ "$with_tests" = 1 ] && [ -d "$build/tests" ]; then
    find "$build/tests" -maxdepth 1 -type f -perm -u+x -name 'test_*' | sort
  fi
}

tool_path() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1"; }

initramfs_key() {
  local f
  {
    echo "format $initramfs_format"
    sha256sum "$here/guest-init.sh"
    for f in $(tool_path busybox) $(tool_path hackbench) $(tool_path stress-ng) $(tool_path bpftool) "$@"; do
      stat -L -c '%n %s %Y' "$f"
      library_closure "$f" | xargs -r stat -L -c '%n %s %Y'
    done
  } | sha256sum | cut -d' ' -f1
}

# Prints the path of an up-to-date base initramfs for $build (and $with_tests).
ensure_initramfs() {
  local out key stage f applet
  local -a inputs examples
  for f in busybox hackbench stress-ng bpftool; do
    tool_path "$f" >/dev/null || die "'$f' is missing on the host (install it: scripts/setup.sh --test)"
  done
  mkdir -p "$build/vm"
  out=$build/vm/initramfs.cpio.zst
  [ "$with_tests" = 1 ] && out=$build/vm/initramfs-tests.cpio.zst
  exec 7>"$out.lock"
  flock 7
  mapfile -t inputs < <(initramfs_inputs)
  mapfile -t examples < <(find "$(examples_dir)/bin" -maxdepth 1 -type f -perm -u+x 2>/dev/null | sort)
  key=$(initramfs_key "${inputs[@]}" "$cache/config" "${examples[@]}")
  if [ -s "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
    flock -u 7; echo "$out"; return
  fi
  say "building $out"
  stage=$(mktemp -d)
  mkdir -p "$stage"/{bin,dev,etc,proc,sys,run,tmp,root,results,scxlab,usr/bin,usr/sbin}
  # The kernel opens /dev/console for init before devtmpfs is mounted; without root (no
  # mknod) init still gets its console once it has mounted devtmpfs.
  mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
  cp "$here/guest-init.sh" "$stage/init"; chmod 755 "$stage/init"
  cp "$(tool_path busybox)" "$stage/bin/busybox"
  for applet in $("$stage/bin/busybox" --list); do
    [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
  done
  for f in hackbench stress-ng; do stage_file "$(tool_path "$f")" "$stage" "/usr/bin/$f"; done
  stage_file "$(tool_path bpftool)" "$stage" /usr/sbin/bpftool
  for f in "${inputs[@]}"; do stage_file "$f" "$stage" "$f"; done
  # Schedulers reading kernel config through libbpf's __kconfig (scx_central, most Rust scx
  # schedulers) exit with "failed to open system Kconfig" without it.
  mkdir -p "$stage/boot"
  cp "$cache/config" "$stage/boot/config-$(cat "$cache/kernel-version")"
  for f in "${examples[@]}"; do stage_file "$f" "$stage" "/usr/local/sbin/$(basename "$f")"; done
  mkdir -p "$stage$build"
  ln -s "$build" "$stage/scxlab/build"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
  printf 'root:x:0:\n' >"$stage/etc/group"
  # Padded to 4 bytes so that a per-boot overlay can follow it (the kernel looks for each
  # concatenated cpio archive at a 4-byte boundary).
  (cd "$stage" && find . | cpio -o -H newc --quiet) | zstd -q -T0 -3 >"$out.tmp"
  truncate -s %4 "$out.tmp"
  rm -rf "$stage"
  mv -f "$out.tmp" "$out"
  echo "$key" >"$out.key"
  flock -u 7
  echo "$out"
}

cmd_initramfs() {
  local build_dir="" with_tests=0 build
  while [ $# -gt 0 ]; do
    case "$1" in
      --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
      --tests) with_tests=1 ;;
      *) die "initramfs: unknown option '$1' (valid: --build-dir DIR, --tests)" ;;
    esac
    shift
  done
  build=$(build_dir_abs)
  ensure_initramfs
}

# ---------------------------------------------------------------- boot

# -accel/-cpu arguments: KVM when a probe boot under it works on this machine, else TCG.
accel_args() {
  local choice=${SCXLAB_VM_ACCEL:-auto} probe_key state_file
  if [ "$choice" = auto ]; then
    probe_key="$(qemu-system-x86_64 --version | head -n1)|$(uname -r)|$(cat "$cache/kernel-version")|$(grep -m1 'model name' /proc/cpuinfo)"
    state_file="$cache/work/accel"
    if [ "$(sed -n 2p "$state_file" 2>/dev/null)" = "$probe_key" ]; then
      choice=$(sed -n 1p "$state_file")
    else
      choice=tcg
      probe_kvm && choice=kvm
      mkdir -p "$cache/work" && printf '%s\n%s\n' "$choice" "$probe_key" >"$state_file" 2>/dev/null || true
    fi
  fi
  case "$choice" in
    kvm) echo "-accel kvm -cpu host" ;;
    # One TCG thread for all vCPUs: with thread=multi a vCPU can run a stale translation of
    # kernel text that another vCPU just patched (static keys flip when sched_ext enables),
    # hit the int3 the kernel has already removed and oops (seen 2 in ~10 boots).
    tcg) echo "-accel tcg,thread=single -cpu max" ;;
    *) die "SCXLAB_VM_ACCEL='$choice' (valid: auto, kvm, tcg)" ;;
  esac
}

# Boots a busybox-only initramfs under KVM; succeeds if it reaches userspace. Nested KVM can
# fail at start (an MSR assertion) or hang on an emulation error, so the console and QEMU's
# errors are watched and the probe gives up after 30 s.
probe_kvm() {
  local dir pid i ok=1
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  dir=$(mktemp -d)
  mkdir -p "$dir/root/bin" "$dir/root/dev"
  cp "$(tool_path busybox)" "$dir/root/bin/busybox"
  mknod -m 600 "$dir/root/dev/console" c 5 1 2>/dev/null || true
  printf '#!/bin/busybox sh\n/bin/busybox echo SCXLAB-KVM-PROBE-OK\n/bin/busybox poweroff -f\n' >"$dir/root/init"
  chmod 755 "$dir/root/init"
  (cd "$dir/root" && find . | cpio -o -H newc --quiet) >"$dir/initrd"
  qemu-system-x86_64 -accel kvm -cpu host -smp 1 -m 256 -nodefaults -no-user-config -display none \
    -kernel "$(boot_kernel)" -initrd "$dir/initrd" -append "console=ttyS0 quiet panic=-1" \
    -serial "file:$dir/console" -no-reboot </dev/null >/dev/null 2>"$dir/err" &
  pid=$!
  for i in $(seq 150); do
    if grep -qs SCXLAB-KVM-PROBE-OK "$dir/console"; then ok=0; break; fi
    if ! kill -0 "$pid" 2>/dev/null || grep -qsE 'internal error|emulation failure' "$dir/err"; then break; fi
    sleep 0.2
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  [ "$ok" = 0 ] || say "KVM does not work here ($(head -n1 "$dir/err" 2>/dev/null || echo 'no console output')): using TCG"
  rm -rf "$dir"
  return "$ok"
}

# Single-quotes a word for the guest's sh.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Writes the per-boot cpio (the run spec and --file copies) to $work/overlay.cpio.
build_overlay() {
  local mode=$1; shift
  local root="$work/overlay" spec host guest a
  mkdir -p "$root/scxlab-vm" "$root/host"
  echo "$mode" >"$root/scxlab-vm/mode"
  echo "$token" >"$root/scxlab-vm/token"
  echo "$timeout" >"$root/scxlab-vm/timeout"
  [ -n "$results_dir" ] && touch "$root/scxlab-vm/collect"
  {
    printf 'exec'
    for a in "$@"; do printf ' %s' "$(quote "$a")"; done
    printf '\n'
  } >"$root/scxlab-vm/command"
  for spec in "${files[@]}"; do
    host=${spec%%:*}
    guest=/host/$(basename "$host")
    [ "$spec" != "$host" ] && guest=${spec#*:}
    [ -e "$host" ] || die "--file '$host' does not exist"
    stage_file "$(realpath "$host")" "$root" "$guest"
  done
  [ -n "$scx_dir" ] && stage_scx_dir "$scx_dir" "$root"
  (cd "$root" && find . | cpio -o -H newc --quiet) >"$work/overlay.cpio"
}

# Puts the scx_* executables of DIR (or DIR/bin) on the guest's PATH (/usr/local/bin), each
# through DIR/lib's own loader when there is one. The wrapper execs, so the scheduler keeps
# the pid scxlab started and signals reach it.
stage_scx_dir() {
  local dir=$1 root=$2 bin f name n=0
  [ -d "$dir" ] || die "--scx-dir '$dir' is not a directory"
  bin=$dir; [ -d "$dir/bin" ] && bin=$dir/bin
  mkdir -p "$root/usr/local/bin"
  if [ -e "$dir/lib/ld-linux-x86-64.so.2" ]; then
    mkdir -p "$root/opt/scx/bin"
    cp -L -r "$dir/lib" "$root/opt/scx/lib"
  fi
  for f in "$bin"/scx_*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    name=$(basename "$f")
    if [ -d "$root/opt/scx/lib" ]; then
      cp -L "$f" "$root/opt/scx/bin/$name"
      printf '#!/bin/sh\nexec /opt/scx/lib/ld-linux-x86-64.so.2 --library-path /opt/scx/lib /opt/scx/bin/%s "$@"\n' \
        "$name" >"$root/usr/local/bin/$name"
      chmod 755 "$root/usr/local/bin/$name"
    else
      stage_file "$(realpath "$f")" "$root" "/usr/local/bin/$name"
    fi
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || die "--scx-dir '$dir': no executable scx_* in $bin"
}

# Reads QEMU's console on stdin: prints the guest's output (the kernel's power-off noise
# after the exit status is only logged), stores the results between the markers in
# $work/results.b64 and the exit status in $work/rc; $1: a file to log the output to.
console_filter() {
  awk -v p="SCXLAB-VM-$token-" -v b64="$work/results.b64" -v rcfile="$work/rc" -v logfile="${1:-/dev/null}" '
    function show(line) { if (!exited) { print line; fflush() } print line > logfile }
    { sub(/\r$/, "") }
    in_results && $0 == p "RESULTS-END" { in_results = 0; next }
    in_results { print > b64; next }
    {
      i = index($0, p)
      if (i == 0) { show($0); next }
      if (i > 1) show(substr($0, 1, i - 1))
      tag = substr($0, i + length(p))
      if (tag == "RESULTS-BEGIN") in_results = 1
      else if (tag ~ /^EXIT /) { print substr(tag, 6) > rcfile; exited = 1 }
    }'
}

# Runs QEMU (args: hard time limit, QEMU arguments) with its console through console_filter;
# sets qemu_rc (timeout's status: 124 when it had to kill QEMU) and, if SIGINT or SIGTERM
# reached this script meanwhile, interrupted=INT|TERM. QEMU runs under `timeout`, in a process
# group of its own that a terminal's Ctrl-C does not reach, so the signal is passed on here.
watch_vm() {
  local limit=$1; shift
  local vm_pid filter_pid
  mkfifo "$work/console"
  console_filter "${results_dir:+$work/console.log}" <"$work/console" &
  filter_pid=$!
  timeout -k 5 "$limit" qemu-system-x86_64 "$@" -serial stdio </dev/null >"$work/console" 2>"$work/qemu.err" &
  vm_pid=$!
  interrupted=""
  trap 'interrupted=INT; kill -TERM "$vm_pid" 2>/dev/null' INT
  trap 'interrupted=TERM; kill -TERM "$vm_pid" 2>/dev/null' TERM
  wait "$vm_pid" && qemu_rc=0 || qemu_rc=$?
  # A trapped signal ends `wait` early: wait again until QEMU is really gone.
  while [ -n "$interrupted" ] && kill -0 "$vm_pid" 2>/dev/null; do
    wait "$vm_pid" || true
  done
  trap - INT TERM
  wait "$filter_pid" || true
}

parse_vm_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
      --file) files+=("${2:?--file needs a path}"); shift ;;
      --scx-dir) scx_dir=${2:?--scx-dir needs a directory}; shift ;;
      --results) results_dir=${2:?--results needs a directory}; shift ;;
      --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
      --tests) with_tests=1 ;;
      --smp) smp=${2:?--smp needs a number}; shift ;;
      --mem) mem=${2:?--mem needs MiB}; shift ;;
      --append) append_extra=${2:?--append needs arguments}; shift ;;
      --) shift; command_argv=("$@"); return ;;
      *) die "$mode: unknown option '$1' (see the top of $0)" ;;
    esac
    shift
  done
}

cmd_boot() {
  local mode=$1; shift
  local timeout=300 results_dir="" build_dir="" with_tests=0 smp=2 mem=2048 append_extra=""
  local scx_dir=""
  local -a files=() command_argv=() qemu_args
  local build base work token accel start rc qemu_rc interrupted
  parse_vm_options "$@"
  [[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout '$timeout' is not a number of seconds"
  if [ "$mode" = run ] && [ ${#command_argv[@]} -eq 0 ]; then
    die "run: no command (usage: vm.sh run [OPTIONS] -- COMMAND [ARG...])"
  fi
  require_kernel
  build=$(build_dir_abs)
  base=$(ensure_initramfs)
  work=$(mktemp -d)
  trap "rm -rf '$work'" EXIT
  token=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
  build_overlay "$mode" "${command_argv[@]}"
  cat "$base" "$work/overlay.cpio" >"$work/initrd"
  accel=$(accel_args)
  say "kernel $(cat "$cache/kernel-version") ($(sed -n 's/^package_version=//p' "$cache/kernel-info")), ${accel%% -cpu*}, $smp CPUs, $mem MiB"
  qemu_args=($accel -smp "$smp" -m "$mem" -nodefaults -no-user-config -display none -no-reboot
             -kernel "$(boot_kernel)" -initrd "$work/initrd"
             -append "console=ttyS0 quiet panic=-1 mitigations=off $append_extra")
  if [ "$mode" = shell ]; then
    qemu-system-x86_64 "${qemu_args[@]}" -chardev stdio,id=console,mux=on,signal=off \
      -serial chardev:console -mon chardev=console,mode=readline
    return
  fi
  start=$(date +%s)
  watch_vm "$((timeout + boot_grace))" "${qemu_args[@]}"
  if [ -n "$interrupted" ]; then
    say "interrupted by SIG$interrupted: the VM was stopped"
    return $((128 + $(kill -l "$interrupted")))
  fi
  if [ -n "$results_dir" ]; then
    mkdir -p "$results_dir"
    [ -s "$work/results.b64" ] && base64 -d "$work/results.b64" | tar -xz -C "$results_dir"
    cp "$work/console.log" "$results_dir/console.log" 2>/dev/null || true
  fi
  if [ -s "$work/rc" ]; then
    rc=$(cat "$work/rc")
    say "exit status $rc after $(( $(date +%s) - start )) s"
    [ "$rc" = 124 ] && say "the command timed out after $timeout s"
    return "$rc"
  fi
  if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    say "the VM did not power off within $((timeout + boot_grace)) s: killed (the guest hung)"
    return 124
  fi
  say "the VM ended without an exit status (QEMU exit $qemu_rc)$([ -s "$work/qemu.err" ] && echo ": $(head -c 2000 "$work/qemu.err")")"
  return 125
}

cmd_info() {
  require_kernel
  cat "$cache/kernel-info"
  echo "accel=$(accel_args)"
  echo "cache=$cache"
  echo "vmlinux_h=$cache/vmlinux.h"
}

case "${1:-}" in
  fetch) shift; cmd_fetch "$@" ;;
  examples) shift; cmd_examples "$@" ;;
  initramfs) shift; cmd_initramfs "$@" ;;
  run) shift; cmd_boot run "$@" ;;
  shell) shift; cmd_boot shell "$@" ;;
  info) shift; cmd_info "$@" ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "usage: vm.sh fetch|examples|initramfs|run|shell|info (vm.sh --help)" ;;
esac
