#!/usr/bin/python3
"""The microservices example end to end, as its README says, plus drills.

1. `run.sh` as a user runs it: everything up, an order placed through the
   gateway, its aggregated details, its trace across all five services, down.
2. `run.sh up`, then while the shop runs:
   - config: a key put in etcd under shop/ reaches every host within a bound,
     and each host's `hyperion history` shows the revision from etcd;
   - a price change in etcd changes what new orders cost, live;
   - hot swap: the products host's plugin is replaced by v2 with `hyperion
     swap` while orders flow: no order fails, and v2 answers afterwards;
   - failure: the products host is killed; orders are refused with the
     documented 503 (never hang), then, with when_products_unavailable flipped
     to accept_pending in etcd, accepted as pending_price.
   `run.sh down` stops everything cleanly.
Every port is a free one; all state is in a temporary folder.

  microservices_example_test.py SOURCE_DIR BIN_DIR
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from free_ports import free_port  # noqa: E402

HOSTS = ["users", "products", "notifications", "orders", "gateway"]


def fail(message, run_dir=None):
    print("FAIL: " + message, file=sys.stderr)
    if run_dir and os.path.isdir(run_dir):
        for name in sorted(os.listdir(run_dir)):
            if name.endswith(".log"):
                with open(os.path.join(run_dir, name), encoding="utf-8", errors="replace") as f:
                    print(f"--- {name} (last 40 lines)", file=sys.stderr)
                    print("".join(f.readlines()[-40:]), file=sys.stderr)
    sys.exit(1)


def request(method, url, body=None, timeout=10):
    """(status, parsed JSON or text, seconds)."""
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(url, method=method, data=data,
                               headers={"content-type": "application/json"} if data else {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(r, timeout=timeout) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    seconds = time.monotonic() - started
    try:
        return status, json.loads(text), seconds
    except ValueError:
        return status, text, seconds


def eventually(what, seconds, condition, run_dir):
    """Polls `condition` every 50 ms; its truthy result, or the test fails."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    fail(f"{what}: not within {seconds} s", run_dir)


class Shop:
    def __init__(self, src, bin_dir, work):
        self.src, self.bin_dir = src, bin_dir
        self.run_dir = os.path.join(work, "run")
        self.env = dict(os.environ, SHOP_RUN_DIR=self.run_dir, XDG_STATE_HOME=os.path.join(work, "state"),
                        HYPERION_BIN_DIR=bin_dir,
                        SHOP_DESCRIPTORS=os.path.join(os.path.dirname(bin_dir), "share", "hyperion", "shop.pb"),
                        SHOP_ETCD_PORT=str(free_port()), SHOP_ETCD_PEER_PORT=str(free_port()),
                        SHOP_OTLP_PORT=str(free_port()), SHOP_GATEWAY_HTTP_PORT=str(free_port()))
        for var in ["SHOP_OTLP", "HYPERION_STATE_DIR", "HYPERION_ADMIN_TOKEN", "HYPERION_ADMIN_URL"]:
            self.env.pop(var, None)
        for host in HOSTS:
            for kind in ["GRPC", "HEALTH", "ADMIN"]:
                self.env[f"SHOP_{host.upper()}_{kind}_PORT"] = str(free_port())
        self.gateway = f"http://127.0.0.1:{self.env['SHOP_GATEWAY_HTTP_PORT']}"
        self.etcd = f"127.0.0.1:{self.env['SHOP_ETCD_PORT']}"

    def run(self, *args, timeout=300):
        return subprocess.run([os.path.join(self.src, "examples/microservices/run.sh"), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def etcdctl(self, *args):
        done = subprocess.run(["etcdctl", "--endpoints", self.etcd, *args], capture_output=True, text=True,
                              timeout=30)
        if done.returncode != 0:
            fail(f"etcdctl {' '.join(args)}: {done.stderr}", self.run_dir)

    def hyperion(self, *args):
        return subprocess.run([os.path.join(self.bin_dir, "hyperion"), *args], cwd=self.src, env=self.env,
                              capture_output=True, text=True, timeout=60)

    def history(self, host):
        done = self.hyperion("history", "--manifest", f"examples/microservices/{host}.yaml")
        return done.stdout if done.returncode == 0 else ""

    def order(self, product="apple", quantity=1):
        return request("POST", self.gateway + "/api/orders",
                       {"user_id": 1, "items": [{"product_id": product, "quantity": quantity}]})


def scenario(shop):
    """run.sh as the README shows it."""
    done = shop.run()
    out = done.stdout + done.stderr
    if done.returncode != 0:
        fail(f"run.sh exited {done.returncode}:\n{out}", shop.run_dir)
    for expected in ['POST /api/orders -> {"id":1,"user_id":1,', '"status":"confirmed"', '"total_cents":1050',
                     '"name": "Ada Lovelace"', '"text": "order 1 is confirmed, total 1050 cents"',
                     "spans from shop-gateway, shop-notifications, shop-orders, shop-products, shop-users",
                     "the shop is down"]:
        if expected not in out:
            fail(f"run.sh's output lacks {expected!r}:\n{out}", shop.run_dir)
    print("run.sh: order placed, details aggregated, one trace over five services, stopped")


def config_drill(shop):
    before = {host: shop.history(host).splitlines()[0].split()[0] for host in HOSTS}
    started = time.monotonic()
    shop.etcdctl("put", "shop/tracing/sampler/ratio", "0.5")
    for host in HOSTS:
        eventually(f"{host}'s history shows the etcd change", 20,
                   lambda: (lambda top: top and top.split()[0] != before[host] and "etcd:shop" in top)(
                       (shop.history(host).splitlines() or [""])[0]), shop.run_dir)
    print(f"config: shop/tracing/sampler/ratio applied on all {len(HOSTS)} hosts within "
          f"{time.monotonic() - started:.2f} s, each with a revision from etcd:shop")

    # A price change reaches new orders once the orders host's 2 s cache of
    # product lookups has expired.
    started = time.monotonic()
    shop.etcdctl("put", "shop/products/price_multiplier", "2")

    def doubled():
        status, body, _ = shop.order()
        return status == 200 and body["items"][0]["unit_price_cents"] == 100

    eventually("orders priced at the new multiplier", 15, doubled, shop.run_dir)
    print(f"config: price_multiplier 2 in etcd doubled new orders' prices after {time.monotonic() - started:.2f} s")


def swap_drill(shop):
    results = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            status, body, seconds = shop.order()
            results.append((status, body, seconds))

    worker = threading.Thread(target=load)
    worker.start()
    eventually("orders flowing", 10, lambda: len(results) >= 20, shop.run_dir)
    done = shop.hyperion("swap", "products", "shop-products-v2", "--manifest", "examples/microservices/products.yaml")
    at_swap = len(results)
    eventually("orders after the swap", 10, lambda: len(results) >= at_swap + 50, shop.run_dir)
    stop.set()
    worker.join(timeout=30)
    if done.returncode != 0:
        fail(f"hyperion swap: {done.stdout} {done.stderr}", shop.run_dir)
    failed = [r for r in results if r[0] != 200]
    if failed:
        fail(f"{len(failed)} of {len(results)} orders failed during the swap, first: {failed[0]}", shop.run_dir)
    status, product, _ = request("GET", shop.gateway + "/api/products/apple")
    if status != 200 or product.get("catalog") != "v2":
        fail(f"after the swap, products answers {status} {product}", shop.run_dir)
    slowest = max(r[2] for r in results)
    print(f"swap: products v1 -> v2 while {len(results)} orders flowed: none failed "
          f"(slowest {slowest * 1000:.1f} ms); products now answers catalog v2")


def failure_drill(shop):
    with open(os.path.join(shop.run_dir, "products.pid"), encoding="utf-8") as f:
        os.kill(int(f.read()), signal.SIGKILL)
    killed = time.monotonic()
    slowest = 0.0

    def refused():
        nonlocal slowest
        status, body, seconds = shop.order("bread")  # not cached yet: needs products
        slowest = max(slowest, seconds)
        if seconds > 5:
            fail(f"an order took {seconds:.1f} s with products dead", shop.run_dir)
        return status == 503 and body if status == 503 else None

    body = eventually("orders refused with 503 after products died", 15, refused, shop.run_dir)
    if "products is unavailable" not in body.get("detail", "") or body.get("grpc_code") != "UNAVAILABLE":
        fail(f"the 503 does not say what the README says: {body}", shop.run_dir)
    print(f"failure: products killed; orders answered 503 (\"{body['detail'][:60]}...\") after "
          f"{time.monotonic() - killed:.2f} s, slowest answer {slowest * 1000:.0f} ms")

    shop.etcdctl("put", "shop/orders/when_products_unavailable", "accept_pending")
    flipped = time.monotonic()

    def pending():
        status, body, _ = shop.order("bread")
        return status == 200 and body.get("status") == "pending_price"

    eventually("orders accepted as pending_price after the flag flipped", 15, pending, shop.run_dir)
    print(f"failure: when_products_unavailable=accept_pending from etcd; orders accepted as pending_price after "
          f"{time.monotonic() - flipped:.2f} s")


def main():
    src, bin_dir = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as work:
        shop = Shop(src, bin_dir, work)
        scenario(shop)
        up = shop.run("up")
        try:
            if up.returncode != 0:
                fail(f"run.sh up: {up.stdout} {up.stderr}", shop.run_dir)
            config_drill(shop)
            swap_drill(shop)
            failure_drill(shop)
        finally:
            down = shop.run("down")
        if down.returncode != 0 or "the shop is down" not in down.stderr:
            fail(f"run.sh down: {down.stdout} {down.stderr}", shop.run_dir)
        for host in ["users", "notifications", "orders", "gateway"]:
            with open(os.path.join(shop.run_dir, host + ".log"), encoding="utf-8", errors="replace") as f:
                if "stopped cleanly" not in f.read():
                    fail(f"the {host} host did not stop cleanly", shop.run_dir)
    print("microservices example: run.sh and every drill passed")


if __name__ == "__main__":
    main()
