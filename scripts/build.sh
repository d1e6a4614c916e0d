#!/usr/bin/env bash
# Configures (first time only) and builds scxlab incrementally into build/.
#   SCXLAB_BUILD_DIR=dir   another build directory (default: build)
#   SCXLAB_WERROR=ON       warnings as errors (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SCXLAB_BUILD_DIR:-build}
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" -G Ninja -DSCXLAB_WERROR="${SCXLAB_WERROR:-OFF}" >/dev/null
fi
cmake --build "$dir" -- -j"$(nproc)"
