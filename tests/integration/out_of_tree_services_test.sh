#!/usr/bin/env bash
# Usage: out_of_tree_services_test.sh BUILD_DIR HYPERION_BINARY SOURCE_DIR
# A service API as its own CMake package, a provider and a consumer of it, each
# built out of tree against the installed SDK with hyperion/service.hpp, then
# run together by the host (docs/plugin-guide.md, "Providing and using a service").
set -euo pipefail
build_dir=$1 hyperion=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
build() {  # name
  cmake -S "$src/$1" -B "$work/$1" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
  cmake --build "$work/$1" >/dev/null
}
build api
cmake --install "$work/api" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/inventory/stock.h"
build inventory
build storefront
cat > "$work/app.yaml" <<YAML
app: shop
host:
  state_dir: $work/state
  admin: {enabled: false}
plugins:
  - name: inventory
    library: $work/inventory/inventory.so
    config: {apples: 10}
  - name: storefront
    library: $work/storefront/storefront.so
YAML
out=$("$hyperion" run "$work/app.yaml" --exit-after-start 2>&1)
echo "$out"
grep -q "storefront: apples: 7 left" <<<"$out"
grep -q "storefront: refused: only 7 apples left" <<<"$out"
grep -q "storefront: pears available: 0" <<<"$out"
echo "provider $(wc -l <"$src/inventory/inventory.cc") lines, consumer $(wc -l <"$src/storefront/storefront.cc") lines"
