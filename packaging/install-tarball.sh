#!/bin/sh
# Usage: install-tarball.sh hyperion-<version>-linux-<arch>.tar.gz PREFIX
# Unpacks the release tarball into PREFIX (bin/, lib/hyperion/plugins/,
# include/, lib/cmake/Hyperion/, share/, etc/hyperion/) and checks that the
# host runs from there. The runtime libraries come from Debian: install the
# packages in runtime-packages.txt first. The Dockerfile and the packages
# test run this same script.
set -eu
tarball=$1 prefix=$2
mkdir -p "$prefix"
tar -xzf "$tarball" -C "$prefix" --strip-components=1
"$prefix/bin/hyperion" --version
