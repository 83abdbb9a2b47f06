#!/usr/bin/env bash
# Usage: notes_example_test.sh SOURCE_DIR HYPERION_BINARY
# Keeps examples/notes/README.md true: runs the example manifest as the README
# says (on a free port) and makes the README's curl calls, expecting its answers.
set -euo pipefail
src=$1 hyperion=$2
work=$(mktemp -d)
log="$work/host.log"
pid="" watcher=""
cleanup() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
HOME="$work" XDG_STATE_HOME="$work/state" NOTES_LISTEN=127.0.0.1:0 HYPERION_ADMIN_LISTEN=127.0.0.1:0 \
  "$hyperion" run "$src/examples/notes/notes.yaml" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  grep -q 'all 2 instances started' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.01
done
port=$(grep -o 'serving HTTP on [^ ]* (port [0-9]*' "$log" | grep -o '[0-9]*$')
base="localhost:$port/api/v1/notes"
expect() {  # expect WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL $1: expected $2, got $3" >&2; cat "$log" >&2; exit 1; fi
}
expect create '{"id":1,"text":"buy milk"}' \
  "$(curl -s -X POST "$base" -H 'content-type: application/json' -d '{"text": "buy milk"}')"
expect list '{"items":[{"id":1,"text":"buy milk"}],"total":1,"offset":0,"limit":20}' "$(curl -s "$base")"
expect missing '{"type":"about:blank","title":"Not Found","status":404,"detail":"no note 7","instance":"/api/v1/notes/7"}' \
  "$(curl -s "$base/7")"
expect invalid '{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"the note is not valid","instance":"/api/v1/notes","errors":[{"field":"text","message":"required"}]}' \
  "$(curl -s -X POST "$base" -H 'content-type: application/json' -d '{}')"
expect delete 204 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base/1")"
# The events stream sees a note created after it opened.
curl -sN "$base/events" >"$work/events" &
watcher=$!
for _ in $(seq 1 500); do grep -q ': watching' "$work/events" && break; sleep 0.01; done
curl -s -X POST "$base" -H 'content-type: application/json' -d '{"text": "call mum"}' >/dev/null
for _ in $(seq 1 500); do grep -q '^data: {"id":2,"text":"call mum"}' "$work/events" && break; sleep 0.01; done
expect events $': watching\n\nevent: created\nid: 2\ndata: {"id":2,"text":"call mum"}' "$(head -5 "$work/events")"
kill "$watcher"; watcher=""
kill -TERM "$pid"
wait "$pid"
pid=""
grep -q 'http request method=POST target=/api/v1/notes route=/api/v1/notes status=201' "$log"
echo "notes example: the README's calls answer as it says"
