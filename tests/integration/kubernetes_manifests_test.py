#!/usr/bin/python3
"""The Kubernetes YAML parses, and its probes ask the health plugin what it serves.

For packaging/kubernetes/hyperion.yaml (the manifest is in its ConfigMap) and
examples/microservices/k8s/shop.yaml (the manifests are the example's files):
every Deployment's startup, liveness and readiness probes must be HTTP GETs of
/startupz, /livez and /readyz on the container port that the health
instance of the manifest it runs listens on, and that listener must not be
loopback-only (the kubelet probes the pod's IP).

  kubernetes_manifests_test.py SOURCE_DIR
"""
import os
import re
import sys

import yaml

PROBES = {"startupProbe": "/startupz", "livenessProbe": "/livez", "readinessProbe": "/readyz"}


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def health_listen(manifest_text, env):
    """host:port of the health instance, with ${VAR:-default} as the host would expand it."""
    def expand(match):
        name, default = match.group(1), match.group(3) or ""
        return env.get(name, default)
    text = re.sub(r"\$\{([A-Z0-9_]+)(:-([^}]*))?\}", expand, manifest_text)
    manifest = yaml.safe_load(text)
    for plugin in manifest.get("plugins", []):
        if plugin.get("library") == "health":
            return plugin.get("config", {}).get("listen", "127.0.0.1:8080")
    fail("the manifest has no health instance")


def check_deployment(deployment, manifest_text, where):
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", "10.0.0.7") for e in container.get("env", [])}
    listen = health_listen(manifest_text, env)
    host, port = listen.rsplit(":", 1)
    if host in ("127.0.0.1", "localhost", "::1"):
        fail(f"{where}: the health plugin listens on {listen}: the kubelet cannot reach it")
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    for probe, path in PROBES.items():
        if probe not in container:
            fail(f"{where}: no {probe}")
        get = container[probe].get("httpGet", {})
        probe_port = ports.get(get.get("port"), get.get("port"))
        if get.get("path") != path or str(probe_port) != port:
            fail(f"{where}: {probe} asks {get.get('path')} on port {probe_port}, the health plugin serves {path} on {port}")
    if "limits" not in container.get("resources", {}):
        fail(f"{where}: no resource limits")


def main():
    src = sys.argv[1]
    checked = 0
    path = os.path.join(src, "packaging/kubernetes/hyperion.yaml")
    docs = [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]
    kinds = {d["kind"] for d in docs}
    for kind in ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget"]:
        if kind not in kinds:
            fail(f"{path}: no {kind}")
    config_map = next(d for d in docs if d["kind"] == "ConfigMap")
    for deployment in (d for d in docs if d["kind"] == "Deployment"):
        mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        if any("subPath" in m for m in mounts):
            fail(f"{path}: a subPath mount never sees ConfigMap updates")
        check_deployment(deployment, config_map["data"]["hyperion.yaml"], path)
        checked += 1

    path = os.path.join(src, "examples/microservices/k8s/shop.yaml")
    for deployment in (d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d and d["kind"] == "Deployment"):
        if not deployment["metadata"]["name"].startswith("shop-"):
            continue
        host = deployment["metadata"]["name"][len("shop-"):]
        with open(os.path.join(src, f"examples/microservices/{host}.yaml"), encoding="utf-8") as f:
            check_deployment(deployment, f.read(), f"{path} ({host})")
        checked += 1
    print(f"kubernetes: {checked} Deployments probe what their health plugin serves")


if __name__ == "__main__":
    main()
