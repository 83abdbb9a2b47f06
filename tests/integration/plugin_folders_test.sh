#!/usr/bin/env bash
# scripts/check-plugin-folders.sh passes on the tree and fails, naming the folder
# and the file, on a plugin folder that lacks one of its parts.
set -euo pipefail
root="$1"
check="$root/scripts/check-plugin-folders.sh"
"$check" "$root/plugins"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/plugins/reloadable" "$tmp/"
"$check" "$tmp" >/dev/null  # a whole copy passes
rm "$tmp/reloadable/README.md"
sed -i 's/"status": "stable",//' "$tmp/reloadable/plugin.json"
if out=$("$check" "$tmp" 2>&1); then
  echo "FAIL: a folder without README.md and status passed" >&2
  exit 1
fi
grep -q "plugins/reloadable: missing README.md" <<<"$out" || { echo "FAIL: $out" >&2; exit 1; }
grep -q 'plugins/reloadable: plugin.json has no "status"' <<<"$out" || { echo "FAIL: $out" >&2; exit 1; }
echo "plugin folder check: passes on the tree, names what a broken folder lacks"
