#!/usr/bin/env bash
# The shop on one machine, on loopback: etcd, a trace receiver, and five
# Hyperion hosts (users, products, notifications, orders, gateway).
#
#   examples/microservices/run.sh          up, place an order, print it and its trace, down
#   examples/microservices/run.sh up       start everything and wait until it is ready
#   examples/microservices/run.sh order    place an order through the gateway (while up)
#   examples/microservices/run.sh down     stop everything
#
# Run it from anywhere after building (./scripts/build.sh). Ports, folders and
# the trace endpoint can be changed through the SHOP_* variables below (the
# end-to-end test uses free ports); SHOP_OTLP set to your Jaeger's or
# collector's OTLP/HTTP endpoint replaces the bundled receiver.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bin="${HYPERION_BIN_DIR:-$root/build/bin}"
run_dir="${SHOP_RUN_DIR:-${TMPDIR:-/tmp}/hyperion-shop-$(id -u)}"
hosts=(users products notifications orders gateway)

# Every address the manifests read, with the defaults they have themselves.
export SHOP_ETCD_PORT="${SHOP_ETCD_PORT:-2379}" SHOP_ETCD_PEER_PORT="${SHOP_ETCD_PEER_PORT:-2380}"
export SHOP_ETCD="127.0.0.1:$SHOP_ETCD_PORT"
export SHOP_OTLP_PORT="${SHOP_OTLP_PORT:-4318}"
bundled_receiver=yes
if [ -n "${SHOP_OTLP:-}" ]; then bundled_receiver=no; fi
export SHOP_OTLP="${SHOP_OTLP:-http://127.0.0.1:$SHOP_OTLP_PORT/v1/traces}"
export SHOP_GATEWAY_HTTP_PORT="${SHOP_GATEWAY_HTTP_PORT:-8088}"
default_port() {  # default_port HOST KIND -> the manifest's default
  local base
  case "$1" in gateway) base=0 ;; users) base=1 ;; products) base=2 ;; orders) base=3 ;; notifications) base=4 ;; esac
  case "$2" in GRPC) echo $((50060 + base)) ;; HEALTH) echo $((9060 + base)) ;; ADMIN) echo $((7460 + base)) ;; esac
}
for h in "${hosts[@]}"; do
  for kind in GRPC HEALTH ADMIN; do
    var="SHOP_${h^^}_${kind}_PORT"
    export "$var=${!var:-$(default_port "$h" "$kind")}"
  done
done
gateway="http://127.0.0.1:$SHOP_GATEWAY_HTTP_PORT"

say() { echo "run.sh: $*" >&2; }
health_url() { local var="SHOP_${1^^}_HEALTH_PORT"; echo "http://127.0.0.1:${!var}"; }

# wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  say "$what not ready after ${seconds}s (logs in $run_dir)"
  return 1
}

start() {  # start NAME COMMAND...: in the background, its pid in NAME.pid, its output in NAME.log
  local name=$1
  shift
  "$@" >"$run_dir/$name.log" 2>&1 &
  echo $! >"$run_dir/$name.pid"
}

up() {
  export SHOP_DESCRIPTORS="${SHOP_DESCRIPTORS:-$root/build/share/hyperion/shop.pb}"
  for f in "$bin/hyperion" "$SHOP_DESCRIPTORS"; do
    [ -e "$f" ] || { say "$f is missing: build first (./scripts/build.sh)"; exit 1; }
  done
  if ls "$run_dir"/*.pid >/dev/null 2>&1; then
    say "already up (pid files in $run_dir): run.sh down first"
    exit 1
  fi
  mkdir -p "$run_dir"
  # A fresh etcd each time: the demo starts from the manifests' config.
  rm -rf "$run_dir/etcd"
  start etcd etcd --name shop --data-dir "$run_dir/etcd" \
    --listen-client-urls "http://$SHOP_ETCD" --advertise-client-urls "http://$SHOP_ETCD" \
    --listen-peer-urls "http://127.0.0.1:$SHOP_ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$SHOP_ETCD_PEER_PORT" \
    --initial-cluster "shop=http://127.0.0.1:$SHOP_ETCD_PEER_PORT"
  wait_for etcd 30 etcdctl --endpoints "$SHOP_ETCD" endpoint health
  say "etcd on $SHOP_ETCD"
  if [ "$bundled_receiver" = yes ]; then
    start otlp /usr/bin/python3 "$root/examples/microservices/otlp-receiver.py" \
      --listen "127.0.0.1:$SHOP_OTLP_PORT" --out "$run_dir/spans.jsonl"
    wait_for "the trace receiver" 10 curl -sf "http://127.0.0.1:$SHOP_OTLP_PORT/healthz"
    say "traces to $SHOP_OTLP (the bundled receiver; spans in $run_dir/spans.jsonl)"
  else
    say "traces to $SHOP_OTLP"
  fi
  for h in "${hosts[@]}"; do
    start "$h" "$bin/hyperion" run "examples/microservices/$h.yaml"
  done
  for h in "${hosts[@]}"; do
    wait_for "the $h host" 60 curl -sf "$(health_url "$h")/readyz"
    say "$h ready (health on $(health_url "$h"), log in $run_dir/$h.log)"
  done
  # Ready hosts have registered; the gateway sees them once its watch has.
  wait_for "the gateway's route to products" 30 curl -sf "$gateway/api/products"
  say "the shop is up: $gateway"
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

order() {
  # The client starts the trace, so the trace id is known before the call.
  local trace_id span_id placed id
  trace_id=$(random_hex 16)
  span_id=$(random_hex 8)
  say "placing an order (trace $trace_id)"
  placed=$(curl -sS -X POST "$gateway/api/orders" -H 'content-type: application/json' \
    -H "traceparent: 00-$trace_id-$span_id-01" \
    -d '{"user_id": 1, "items": [{"product_id": "apple", "quantity": 3}, {"product_id": "coffee", "quantity": 1}]}')
  echo "POST /api/orders -> $placed"
  id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$placed") || {
    say "the order was not placed"
    return 1
  }
  # The notification is sent without waiting: wait until it has arrived.
  wait_for "the order's notification" 10 \
    sh -c "curl -sf '$gateway/api/orders/$id/details' | grep -q '\"order_id\":$id'"
  echo "GET /api/orders/$id/details ->"
  curl -sS "$gateway/api/orders/$id/details" | /usr/bin/python3 -m json.tool
  echo "trace_id: $trace_id"
  if [ "$bundled_receiver" = yes ]; then
    # Each host exports within ~200 ms: wait for all five services' spans.
    wait_for "the trace's spans from every host" 15 /usr/bin/python3 -c '
import json, sys, urllib.request
spans = json.load(urllib.request.urlopen(sys.argv[1]))
sys.exit(0 if len({s["service"] for s in spans}) == 5 else 1)' "http://127.0.0.1:$SHOP_OTLP_PORT/traces/$trace_id"
    curl -sS "http://127.0.0.1:$SHOP_OTLP_PORT/traces/$trace_id" | /usr/bin/python3 -c '
import json, sys
spans = json.load(sys.stdin)
print("trace %s: %d spans from %s" % (sys.argv[1], len(spans), ", ".join(sorted({s["service"] for s in spans}))))
for s in spans:
    print("  %-20s %-55s %8.3f ms" % (s["service"], s["name"], s["duration_ms"]))' "$trace_id"
  else
    echo "see it in Jaeger: http://localhost:16686/trace/$trace_id"
  fi
}

stop_pid() {  # stop_pid NAME: SIGTERM, wait up to 30 s, then SIGKILL
  local file="$run_dir/$1.pid" pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null && say "$1 did not stop within 30 s: killed"
  fi
  rm -f "$file"
}

down() {
  local i
  # The gateway first, etcd last: each host deregisters itself on the way out.
  for ((i = ${#hosts[@]} - 1; i >= 0; i--)); do stop_pid "${hosts[$i]}"; done
  stop_pid otlp
  stop_pid etcd
  say "the shop is down (logs in $run_dir)"
}

case "${1:-all}" in
  up) up ;;
  order) order ;;
  down) down ;;
  all)
    trap down EXIT
    up
    order
    ;;
  *)
    echo "usage: run.sh [up|order|down]" >&2
    exit 2
    ;;
esac
