#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, coverage) in build-fuzz
# and runs each for SECONDS (default 60), starting from the seed corpus in
# fuzz/corpus/<target>. New inputs go to build-fuzz/corpus/<target>; a crash is
# written to build-fuzz/crashes/<target>/ and the script fails. To keep a crash
# as a regression test, copy it to fuzz/regressions/<target>/ (ctest replays
# that folder in every build: fuzz.<target>_replay).
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: manifest config descriptor admin http_request
# HYPERION_FUZZ_RUNS=N runs each target for N inputs with a fixed seed instead
# (CI does: the same inputs every time, so a red CI is a regression, not luck;
# finding new bugs is what the long, seeded-at-random runs are for).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(manifest config descriptor admin http_request)

./scripts/setup.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DHYPERION_BUILD_FUZZERS=ON >/dev/null
cmake --build build-fuzz -- -j"$(nproc)" $(printf 'fuzz_%s ' "${targets[@]}")

declare -A dict=([manifest]=manifest [config]=json [descriptor]=json [admin]=admin [http_request]=http)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
limit=(-max_total_time="$seconds")
if [ -n "${HYPERION_FUZZ_RUNS:-}" ]; then limit=(-runs="$HYPERION_FUZZ_RUNS" -seed=1); fi
status=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t
  mkdir -p "$work" "$crashes"
  echo "fuzz: $t (${limit[*]})"
  # -timeout: an input taking over 10 s is a hang; -rss_limit_mb: a memory blow-up.
  if ! build-fuzz/fuzz/fuzz_"$t" "$work" fuzz/corpus/"$t" "${limit[@]}" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -dict=fuzz/dict/"${dict[$t]}".dict -artifact_prefix="$crashes/" \
      -print_final_stats=1 2>"build-fuzz/$t.log"; then
    echo "fuzz: $t FAILED; the input is in $crashes/ and the report in build-fuzz/$t.log:" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "build-fuzz/$t.log" >&2 || tail -20 "build-fuzz/$t.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/$t.log" | sed "s/^/fuzz: $t /"
  fi
done
exit $status
