#!/usr/bin/env bash
# Usage: greeter_example_test.sh SOURCE_DIR HYPERION_BINARY GREETER_CLIENT
# Keeps examples/greeter/README.md true: runs the example manifest as the README
# says (on a free port) and calls it with greeter-client.
set -euo pipefail
src=$1 hyperion=$2 client=$3
work=$(mktemp -d)
log="$work/host.log"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# The example keeps its state under $HOME; keep this run's out of the real one.
HOME="$work" XDG_STATE_HOME="$work/state" GREETER_LISTEN=127.0.0.1:0 HYPERION_ADMIN_LISTEN=127.0.0.1:0 \
  "$hyperion" run "$src/examples/greeter/greeter.yaml" >"$log" 2>&1 &
pid=$!
# Wait until both instances run (the greeter registers its methods in start).
for _ in $(seq 1 3000); do
  grep -q 'all 2 instances started' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.01
done
port=$(grep -o 'serving gRPC on [^ ]* (port [0-9]*' "$log" | grep -o '[0-9]*$')
out=$("$client" --target "127.0.0.1:$port" --name world --count 3)
echo "$out"
expected='SayHello: Hello, world!
SayHelloStream: Hello, world! (1/3)
SayHelloStream: Hello, world! (2/3)
SayHelloStream: Hello, world! (3/3)
CollectHellos: Hello, Ada, Grace and Barbara!
Chat: Hello, Alan!
Chat: Hello, Edsger!'
[ "$out" = "$expected" ]
kill -TERM "$pid"
wait "$pid"
pid=""
grep -q 'grpc call method=/hello.Greeter/Chat code=OK' "$log"
