#!/bin/bash
# Renders a generated 1,000,000-line folded profile to SVG and to pprof with
# the flame graph benchmark CMake builds (bench/flamegraph/flamegraph_bench.cpp).
#   bench/flamegraph/run.sh [BUILD_DIR] [LINES]
# Needs `make -C BUILD_DIR flamegraph_bench` first (a RelWithDebInfo build: -O2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
lines=${2:-1000000}
work=${KSCOPE_BENCH_DIR:-/tmp/kscope-flamegraph-bench}
mkdir -p "$work"

bench_bin="$build/bench/flamegraph_bench"
[ -x "$bench_bin" ] || { echo "no $bench_bin: run make -C $build flamegraph_bench" >&2; exit 1; }

folded="$work/profile-$lines.folded"
[ -s "$folded" ] || "$bench_bin" generate "$folded" --lines "$lines"
ls -l "$folded"
cat "$folded" > /dev/null  # warm the page cache: we time parsing, not the disk

echo "nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for mode in svg pprof html folded; do
  out="$work/out.$mode"
  "$bench_bin" $mode "$folded" "$out"
  ls -l "$out" | awk '{print "        output bytes=" $5}'
done
if command -v go >/dev/null; then
  go tool pprof -top "$work/out.pprof" 2>/dev/null | head -8
fi
