#!/usr/bin/env bash
# Usage: packages_test.sh SOURCE_DIR BUILD_DIR
# The packages a user installs, built and tried as a user would:
#  1. cpack builds hyperion_<v>_amd64.deb, hyperion-dev_<v>_all.deb and the .tar.gz;
#  2. each .deb's control fields (package, version, Depends: from
#     dpkg-shlibdeps = packaging/runtime-packages.txt, conffiles, maintainer
#     scripts) and file list (packaging/expected-files.txt, docs and example
#     sources aside) are what we ship;
#  3. both .debs unpacked into a fresh root: the host runs from there, finds
#     its plugins, and the default /etc/hyperion manifest is valid;
#  4. the tarball installed with packaging/install-tarball.sh (as the
#     Dockerfile does) into a temporary prefix: a plugin built out of tree
#     against it with find_package(Hyperion) and pkg-config, run by the
#     installed host with the installed health plugin until /readyz is 200,
#     reloaded with SIGHUP, stopped with SIGTERM.
set -euo pipefail
export LC_ALL=C  # one sort order for the file lists, whatever the locale
src=$1 build=$2
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# grep -q in a pipeline stops reading at the first match, and the writer's
# SIGPIPE then fails the pipeline (pipefail): read it all.
has() { grep "$@" >/dev/null; }

version=$(sed -n 's/^project(Hyperion VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no project version in CMakeLists.txt"

# 1. The packages.
(cd "$build" && cpack -G "DEB;TGZ" -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail cpack; }
deb="$work/pkg/hyperion_${version}_amd64.deb"
dev="$work/pkg/hyperion-dev_${version}_all.deb"
tarball="$work/pkg/hyperion-${version}-linux-x86_64.tar.gz"
for f in "$deb" "$dev" "$tarball"; do [ -f "$f" ] || fail "cpack made no $(basename "$f")"; done

# 2. Control fields and file lists.
[ "$(dpkg-deb -f "$deb" Package)" = hyperion ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "version $(dpkg-deb -f "$deb" Version), not $version"
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort)
expected_depends=$(grep -v '^#' "$src/packaging/runtime-packages.txt" | sort)
if [ "$depends" != "$expected_depends" ]; then
  diff <(echo "$expected_depends") <(echo "$depends") >&2 || true
  fail "Depends: differs from packaging/runtime-packages.txt (< expected, > computed by dpkg-shlibdeps)"
fi
dpkg-deb -f "$dev" Depends | has "hyperion (= $version)" || fail "hyperion-dev does not depend on hyperion (= $version)"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | has -x /etc/hyperion/hyperion.yaml || fail "no conffile"
for script in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -t | has -x "./$script" || fail "no $script"
done
list() {  # the files of a .deb, docs and example sources aside (they are globbed)
  dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' |
    grep -v -e '^/usr/share/doc/hyperion/' -e '^/usr/share/hyperion/examples/' -e '^/usr/include/hyperion/' |
    sed 's/HyperionTargets-[a-z]*[.]cmake$/HyperionTargets-CONFIG.cmake/' | sort  # named after the build type
}
{ list "$deb" | sed 's/^/hyperion /'; list "$dev" | sed 's/^/hyperion-dev /'; } >"$work/files"
if ! diff -u <(grep -v '^#' "$src/packaging/expected-files.txt") "$work/files" >"$work/files.diff"; then
  cat "$work/files.diff" >&2
  fail "the packages' files differ from packaging/expected-files.txt (- expected, + packaged)"
fi
# Every plugin the build makes for users is in the runtime package; no test plugin is.
for so in "$build"/lib/hyperion/plugins/*.so; do
  grep -qx "hyperion /usr/lib/hyperion/plugins/$(basename "$so")" "$work/files" || fail "$(basename "$so") is not packaged"
done
dpkg-deb -c "$dev" | has '/usr/include/hyperion/plugin.h$' || fail "hyperion-dev has no plugin.h"
dpkg-deb -c "$deb" | has '/usr/share/doc/hyperion/operations.md$' || fail "the docs are not packaged"

# 3. Unpacked into a fresh root.
root="$work/root"
dpkg -x "$deb" "$root"
dpkg -x "$dev" "$root"
"$root/usr/bin/hyperion" --version | has "^hyperion $version " || fail "the packaged host does not run"
"$root/usr/bin/hyperion" inspect "$root/usr/lib/hyperion/plugins/health.so" | has "unload:    yes"
sed "s|listen: 127.0.0.1:8080|listen: 127.0.0.1:0|" "$root/etc/hyperion/hyperion.yaml" >"$work/default.yaml"
HYPERION_STATE_DIR="$work/state-deb" "$root/usr/bin/hyperion" validate "$work/default.yaml" >/dev/null ||
  fail "the default /etc/hyperion/hyperion.yaml is not valid with the packaged plugins"
zcat "$root/usr/share/man/man1/hyperion.1.gz" | has '^\.SS swap' || fail "the man page lacks the swap command"
bash -c "source /usr/share/bash-completion/bash_completion 2>/dev/null; source '$root/usr/share/bash-completion/completions/hyperion'; complete -p hyperion" |
  has _hyperion || fail "the bash completion does not register"

# 4. The tarball, installed as the Dockerfile installs it, and a plugin built against it.
prefix="$work/prefix"
"$src/packaging/install-tarball.sh" "$tarball" "$prefix" >/dev/null
PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags hyperion | has -- "-I$prefix/share/pkgconfig/../../include" ||
  fail "pkg-config --cflags hyperion: $(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags hyperion)"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S "$src/tests/integration/out_of_tree_plugin" -B "$work/plugin" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  "${launcher[@]}" >/dev/null
cmake --build "$work/plugin" >/dev/null
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/app.yaml" <<YAML
app: from-the-tarball
host:
  state_dir: $work/state
  admin: {enabled: false}
  reload: {watch: false}
plugins:
  - name: echo
    library: $work/plugin/echo.so
    config: {message: built against the tarball}
  - name: health
    library: health
    config: {listen: "127.0.0.1:$port"}
YAML
"$prefix/bin/hyperion" run "$work/app.yaml" >"$work/host.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; then ready=yes; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$ready" ] || { cat "$work/host.log" >&2; fail "the installed host never answered /readyz"; }
kill -HUP "$pid"
for _ in $(seq 1 600); do grep -q "reload from sighup" "$work/host.log" && break; sleep 0.05; done
grep -q "reload from sighup" "$work/host.log" || { cat "$work/host.log" >&2; fail "no reload on SIGHUP"; }
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] && grep -q "stopped cleanly" "$work/host.log" || { cat "$work/host.log" >&2; fail "stop: exit $code"; }
grep -q "health.*started\|instance \"health\" started" "$work/host.log" || fail "the installed health plugin did not start"
echo "packages: .deb pair and tarball built, checked, installed; an out-of-tree plugin ran on the installed host"
