#!/usr/bin/env bash
# Usage: out_of_tree_test.sh BUILD_DIR HYPERION_BINARY PLUGIN_SOURCE_DIR
# Installs the plugin SDK from BUILD_DIR into a temporary prefix, builds the
# plugin in PLUGIN_SOURCE_DIR against it with find_package(Hyperion), and runs
# it with the host; its CMake runs `hyperion check` on it and its own
# GoogleTest suite (Hyperion::testing) as CTest tests.
set -euo pipefail
build_dir=$1 hyperion=$2 plugin_src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/hyperion/plugin.h"
test -f "$work/prefix/include/hyperion/plugin.hpp"
# The guides ship with it.
test -f "$work/prefix/share/doc/hyperion/plugin-guide.md"
test -f "$work/prefix/share/doc/hyperion/abi.md"
test -f "$work/prefix/share/doc/hyperion/README.md"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
# A sanitizer build installs an instrumented Hyperion::testing: the author's
# test binary must carry the same runtime (it comes first in the process).
sanitize=$(sed -n 's/^HYPERION_SANITIZE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
if [ -n "$sanitize" ]; then
  launcher+=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
fi
cmake -S "$plugin_src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
plugin="$work/build/echo.so"
test -f "$plugin"

# hyperion_add_check() made `hyperion check` (the package's binary) a CTest test.
if ! ctest --test-dir "$work/build" -V >"$work/check.log" 2>&1; then
  cat "$work/check.log"; echo "hyperion check failed on the out-of-tree plugin"; exit 1
fi
grep -q "hyperion check .*echo.so (echo 0.3.0)" "$work/check.log"
grep -q "0 failed, .*: PASS" "$work/check.log"
# ... and the author's own GoogleTest suite, linked with Hyperion::testing from the prefix.
grep -q "echo.test .*Passed" "$work/check.log"

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

# A capability plugin.json declares but the class does not implement fails the
# build, naming it (before this check, only loading it said so).
cp -r "$plugin_src" "$work/mismatch"
sed -i 's/"capabilities": \["health"\]/"capabilities": ["health", "reload"]/' "$work/mismatch/plugin.json"
grep -q '"reload"' "$work/mismatch/plugin.json"
cmake -S "$work/mismatch" -B "$work/mismatch-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
if cmake --build "$work/mismatch-build" >"$work/mismatch.log" 2>&1; then
  echo "a capability without its hooks built"; exit 1
fi
grep -q 'list "reload" in "capabilities" exactly when the class has' "$work/mismatch.log"
echo "out-of-tree plugin built against $work/prefix and loaded"
