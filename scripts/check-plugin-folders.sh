#!/usr/bin/env bash
# Every plugin folder has the same shape (docs/architecture.md, "Plugin folders"):
#   entry.cc             the SDK macro (or the C entry point) and nothing else
#   <name>.h, <name>.cc  the logic class, <name> with '-' written '_'
#   plugin.json          the metadata, with "status": "stable" | "beta" | "alpha"
#   README.md            purpose, status, every config field (static/dynamic), what health means
# and its code lives in namespace hyperion::plugins::<name>. Exits 1 naming every
# folder and what it lacks. Usage: scripts/check-plugin-folders.sh [PLUGINS_DIR]
set -euo pipefail
plugins_dir="${1:-$(dirname "$0")/../plugins}"
problems=0
complain() {
  echo "plugins/$1: $2" >&2
  problems=$((problems + 1))
}
for dir in "$plugins_dir"/*/; do
  folder=$(basename "$dir")
  [ "$folder" = common ] && continue  # shared code, not a plugin
  stem=${folder//-/_}
  for file in entry.cc "$stem.h" "$stem.cc" plugin.json README.md; do
    [ -f "$dir/$file" ] || complain "$folder" "missing $file"
  done
  if [ -f "$dir/plugin.json" ] &&
     ! grep -Eq '"status"[[:space:]]*:[[:space:]]*"(stable|beta|alpha)"' "$dir/plugin.json"; then
    complain "$folder" "plugin.json has no \"status\": \"stable\"|\"beta\"|\"alpha\""
  fi
  if [ -f "$dir/$stem.h" ] && ! grep -q "namespace hyperion::plugins::$stem\b" "$dir/$stem.h"; then
    complain "$folder" "$stem.h does not declare namespace hyperion::plugins::$stem"
  fi
  if [ -f "$dir/README.md" ] && ! grep -q '^\*\*Status:\*\*' "$dir/README.md"; then
    complain "$folder" "README.md does not say its **Status:**"
  fi
done
if [ "$problems" -gt 0 ]; then
  echo "check-plugin-folders: $problems problem(s)" >&2
  exit 1
fi
echo "check-plugin-folders: every plugin folder has entry.cc, <name>.h/.cc, plugin.json with status, README.md"
