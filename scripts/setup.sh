#!/usr/bin/env bash
# Installs every Debian 12 package Hyperion needs to build, test and run.
# Idempotent: installs only what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libvalijson-dev libcli11-dev libssl-dev libsqlite3-dev libcpp-httplib-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  zlib1g-dev                     # the http-server plugin's gzip
  libgtest-dev libgmock-dev openssl
  curl                           # tests: a real HTTP client for the http-server (SSE, gzip, TLS)
  clang libclang-rt-14-dev llvm  # scripts/fuzz.sh: libFuzzer, and llvm-symbolizer for its reports
  etcd-server etcd-client        # tests: a real etcd per test (remote config, discovery)
  python3-prometheus-client      # tests: the reference OpenMetrics parser checks the OpenMetrics exposition
  python3-yaml                   # tests: the Kubernetes manifests are parsed and checked against the health config
  chromium chromium-driver python3-selenium  # tests: the admin console in a real headless browser
  systemd                        # tests: systemd-analyze verify on the packaged service unit
  file dpkg-dev                  # packaging: CPack's .deb computes Depends: with dpkg-shlibdeps
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# promtool (tests check /metrics with it, decision 0016) comes from Debian's
# prometheus package, which would also install and start a Prometheus server:
# only the promtool binary is taken out of the package, into /usr/local/bin.
if ! command -v promtool > /dev/null; then
  echo "setup: extracting promtool from Debian's prometheus package"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -qq prometheus 2> /dev/null); then
    "${sudo_cmd[@]}" apt-get update -qq
    (cd "$tmp" && apt-get download -qq prometheus)
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  "${sudo_cmd[@]}" install -m 0755 "$tmp/root/usr/bin/promtool" /usr/local/bin/promtool
fi
