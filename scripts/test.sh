#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run every test.
# The output ends with CTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd build
exec ctest -j2 --output-on-failure --timeout 300
