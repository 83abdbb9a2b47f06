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

# docs/hot-swap.md: swap in the second build while the host runs, as an operator
# would — the CLI finds the admin API through the manifest's state folder.
admin=(--manifest "$src/examples/greeter/greeter.yaml")
export HOME="$work" XDG_STATE_HOME="$work/state"
"$hyperion" swap greeter greeter-v2 "${admin[@]}" 2>"$work/swap.err" >/dev/null
cat "$work/swap.err"
grep -q 'swapped "greeter": 1.0.0 -> 2.0.0; the old library left the process' "$work/swap.err"
"$client" --target "127.0.0.1:$port" --name world --count 1 | grep -qx 'SayHello: Hello, world! (greeter v2)'
"$hyperion" status "${admin[@]}" | grep -q '"last_swap":{.*"unloaded":true'
# A library that does not exist, and an instance that does not: refused, v2 serves on.
if "$hyperion" swap greeter "$work/missing.so" "${admin[@]}" 2>"$work/swap.err" >/dev/null; then exit 1; fi
grep -q 'missing.so' "$work/swap.err"
if "$hyperion" swap nobody greeter "${admin[@]}" 2>"$work/swap.err" >/dev/null; then exit 1; fi
grep -q 'no instance "nobody"' "$work/swap.err"
"$client" --target "127.0.0.1:$port" --name world --count 1 | grep -qx 'SayHello: Hello, world! (greeter v2)'
"$hyperion" swap greeter greeter "${admin[@]}" 2>/dev/null >/dev/null
"$client" --target "127.0.0.1:$port" --name world --count 1 | grep -qx 'SayHello: Hello, world!'
kill -TERM "$pid"
wait "$pid"
pid=""
grep -q 'grpc call method=/hello.Greeter/Chat code=OK' "$log"
