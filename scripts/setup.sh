#!/usr/bin/env bash
# Installs what scxlab needs with apt, idempotently; takes a second when nothing is missing.
#   scripts/setup.sh          build and run dependencies (the shootout)
#   scripts/setup.sh --test   plus what the test suite needs (QEMU, busybox, Chromium, ...)
# Debian 12 ships libbpf 1.1 / bpftool 7.1, too old for struct_ops.link and sleepable
# struct_ops; there the distribution's backports suite is enabled, reusing the mirror URI the
# machine's apt sources already name (no mirror host is written into this repository).
set -euo pipefail

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (valid: --test, --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: must run as root to install packages with apt (try: sudo $0 $*)" >&2
  exit 2
fi

. /etc/os-release
distro="${ID}:${VERSION_CODENAME:-}"

base_pkgs=(build-essential cmake ninja-build pkg-config clang llvm libelf-dev zlib1g-dev
  libpfm4-dev libeigen3-dev libnlopt-cxx-dev libboost-dev libboost-filesystem-dev
  libbenchmark-dev libsqlite3-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libsystemd-dev libpqxx-dev rt-tests stress-ng help2man dpkg-dev)
test_pkgs=(qemu-system-x86 busybox-static cpio gzip xz-utils zstd sqlite3 python3-yaml libxml2-utils
  postgresql    # the fleet tier: a throw-away PostgreSQL server on loopback (scripts/pg-test-server)
  ansible-core) # the fleet tier: the deploy/ playbook's syntax check
bpf_pkgs=(libbpf-dev bpftool)

case "$distro" in
  debian:bookworm)
    base_pkgs+=(catch2 linux-perf)
    # clang >= 16 builds the VM kernel's own example schedulers (vm.sh examples).
    test_pkgs+=(chromium clang-19 lld-19 llvm-19 libclang-rt-19-dev)  # compiler-rt: sanitizers, libFuzzer
    backports=bookworm-backports ;;
  ubuntu:noble)
    # Ubuntu names: perf and bpftool ship in linux-tools; Chromium is only a snap there,
    # so the browser test of the HTML report is skipped on Ubuntu (it says so).
    base_pkgs+=(catch2 linux-tools-common linux-tools-generic)
    test_pkgs+=(clang-18 lld-18 llvm-18 libclang-rt-18-dev)
    bpf_pkgs=(libbpf-dev)
    backports= ;;
  *)
    echo "setup.sh: untested distribution '$PRETTY_NAME'; trying Debian 12 package names" >&2
    base_pkgs+=(catch2 linux-perf)
    test_pkgs+=(chromium clang-19 lld-19 llvm-19 libclang-rt-19-dev)
    backports= ;;
esac

wanted=("${base_pkgs[@]}")
[ "$want_test" = 1 ] && wanted+=("${test_pkgs[@]}")

missing_of() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || echo "$p"
  done
}

# libbpf >= 1.2 is needed for SEC(".struct_ops.link") and sleepable struct_ops.
libbpf_too_old() {
  local v
  v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true)
  [ -z "$v" ] && return 0
  dpkg --compare-versions "$v" lt "1:1.2"
}

# The mirror URI serving this release, read from the machine's own apt configuration.
debian_mirror_uri() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | head -n1)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list 2>/dev/null \
        | awk '{for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' \
        | grep -v -- '-security' | head -n1)
  echo "$uri"
}

enable_backports() {
  local list=/etc/apt/sources.list.d/scxlab-backports.sources uri
  [ -f "$list" ] && return 0
  grep -rqs "$backports" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  uri=$(debian_mirror_uri)
  if [ -z "$uri" ]; then
    echo "setup.sh: cannot find a Debian mirror URI in /etc/apt/sources.list{,.d}; add $backports by hand" >&2
    exit 2
  fi
  echo "setup.sh: enabling $backports from $uri (for libbpf >= 1.2 and bpftool 7.5)"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" "$backports" > "$list"
}

# --test: the sched_ext kernel the [vm] tests boot, whose vmlinux.h scxlab's own schedulers
# (bpf/sched) build against, and that kernel's own example schedulers, which the [vm] tests
# run as schedulers nobody on this project wrote; cached after the first time.
fetch_vm_kernel() {
  [ "$want_test" = 1 ] || return 0
  if ! "$(dirname "$0")/vm/vm.sh" fetch; then
    echo "setup.sh: could not fetch the VM kernel; the [vm] tests and scxlab's own sched_ext schedulers" \
      "need it (retry: scripts/vm/vm.sh fetch)" >&2
    return 0
  fi
  "$(dirname "$0")/vm/vm.sh" examples || echo "setup.sh: could not build the VM kernel's example schedulers;" \
    "the [vm] test of them will fail (retry: scripts/vm/vm.sh examples --refresh)" >&2
}

mapfile -t missing < <(missing_of "${wanted[@]}")
need_bpf=0
if libbpf_too_old || [ -n "$(missing_of "${bpf_pkgs[@]}")" ]; then need_bpf=1; fi

if [ "${#missing[@]}" -eq 0 ] && [ "$need_bpf" = 0 ]; then
  echo "setup.sh: all dependencies present"
  fetch_vm_kernel
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
[ "$need_bpf" = 1 ] && [ -n "$backports" ] && enable_backports
echo "setup.sh: installing ${missing[*]} $([ "$need_bpf" = 1 ] && echo "${bpf_pkgs[*]}")"
apt-get update -qq
[ "${#missing[@]}" -gt 0 ] && apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ "$need_bpf" = 1 ]; then
  if [ -n "$backports" ]; then
    apt-get install -y -qq --no-install-recommends -t "$backports" "${bpf_pkgs[@]}"
  else
    apt-get install -y -qq --no-install-recommends "${bpf_pkgs[@]}"
  fi
fi
if libbpf_too_old; then
  echo "setup.sh: libbpf-dev is still older than 1.2; scxlab's own sched_ext schedulers will not build" >&2
fi
fetch_vm_kernel
echo "setup.sh: done"
