#!/usr/bin/env bash
# Usage: out_of_tree_test.sh BUILD_DIR HYPERION_BINARY PLUGIN_SOURCE_DIR
# Installs the plugin SDK from BUILD_DIR into a temporary prefix, builds the
# plugin in PLUGIN_SOURCE_DIR against it with find_package(Hyperion), and runs
# it with the host.
set -euo pipefail
build_dir=$1 hyperion=$2 plugin_src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/hyperion/plugin.h"
test -f "$work/prefix/include/hyperion/plugin.hpp"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S "$plugin_src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
plugin="$work/build/echo.so"
test -f "$plugin"

"$hyperion" inspect "$plugin" | grep -q "plugin:    echo 0.3.0"
"$hyperion" inspect "$plugin" | grep -q "unload:    yes"

cat > "$work/app.yaml" <<YAML
app: out-of-tree
host:
  state_dir: $work/state
plugins:
  - name: echo
    library: $plugin
    config:
      message: built outside
YAML
"$hyperion" validate "$work/app.yaml"
out=$("$hyperion" run "$work/app.yaml" --exit-after-start 2>&1)
echo "$out"
grep -q "echo: built outside" <<<"$out"
grep -q "stopped cleanly" <<<"$out"
echo "out-of-tree plugin built against $work/prefix and loaded"
