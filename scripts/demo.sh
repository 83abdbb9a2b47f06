#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the host on the default
# demo manifest. Stop it with Ctrl-C (SIGINT) or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec ./build/bin/hyperion run manifests/demo.yaml "$@"
