#!/usr/bin/env bash
# Usage: systemd_unit_test.sh SOURCE_DIR HYPERION_BINARY
# packaging/systemd/hyperion.service passes `systemd-analyze verify` without a
# word (it exits 0 on lines it ignores, so any output fails this test), and the
# default manifest it runs, packaging/hyperion.yaml, is valid.
set -euo pipefail
src=$1 hyperion=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The unit names the installed binary; here it is the build's.
sed "s|/usr/bin/hyperion|$hyperion|g" "$src/packaging/systemd/hyperion.service" >"$work/hyperion.service"
out=$(systemd-analyze verify --man=no "$work/hyperion.service" 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "systemd-analyze verify complained:" >&2
  echo "$out" >&2
  exit 1
fi
for line in Type=notify 'ExecReload=/bin/kill -HUP $MAINPID' StateDirectory=hyperion NoNewPrivileges=yes \
            ProtectSystem=strict DynamicUser=yes WatchdogSec=; do
  grep -q "^$line" "$src/packaging/systemd/hyperion.service" || { echo "the unit lacks $line" >&2; exit 1; }
done
HYPERION_STATE_DIR="$work/state" "$hyperion" validate "$src/packaging/hyperion.yaml" \
  --plugin-path "$(dirname "$hyperion")/../lib/hyperion/plugins" >/dev/null
echo "systemd unit: verified; default manifest valid"
