#!/usr/bin/env bash
# Configures (first time only) and builds scxlab incrementally into build/: everything, or the
# CMake targets given (scripts/scxlab builds only `programs`).
#   SCXLAB_BUILD_DIR=dir   another build directory (default: build)
#   SCXLAB_WERROR=ON       warnings as errors (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SCXLAB_BUILD_DIR:-build}
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" -G Ninja -DSCXLAB_WERROR="${SCXLAB_WERROR:-OFF}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" "${targets[@]}" -- -j"$(nproc)"
