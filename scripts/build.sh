#!/usr/bin/env bash
# Configures and builds everything into ./build (or $HYPERION_BUILD_DIR) with
# Ninja and ccache. Extra arguments go to CMake (e.g. -DHYPERION_SANITIZE=thread).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${HYPERION_BUILD_DIR:-build}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${HYPERION_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build_dir" -- -j"$(nproc)"
