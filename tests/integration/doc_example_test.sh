#!/usr/bin/env bash
# Usage: doc_example_test.sh SOURCE_DIR HYPERION_BINARY
# Keeps docs/abi.md true: extracts its "minimal plugin in C", compiles it exactly
# as the page says (cc -shared ...), and runs it with the host.
set -euo pipefail
src=$1 hyperion=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^## A minimal plugin in C/{found=1} found && /^```c$/{inside=1; next} inside && /^```$/{exit} inside{print}' \
  "$src/docs/abi.md" > "$work/minimal.c"
test -s "$work/minimal.c"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -I"$src/plugin-api/include" \
  "$work/minimal.c" -o "$work/minimal.so"
"$hyperion" inspect "$work/minimal.so" | grep -q "plugin:    minimal 1.0.0"
printf 'app: doc\nhost:\n  state_dir: %s/state\nplugins:\n  - name: m\n    library: %s/minimal.so\n' "$work" "$work" > "$work/app.yaml"
out=$("$hyperion" run "$work/app.yaml" --exit-after-start 2>&1)
echo "$out"
grep -q "\[m\] started" <<<"$out"
