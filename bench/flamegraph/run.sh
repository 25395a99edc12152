#!/bin/bash
# Builds the flame graph benchmark against the built kscope_core library and
# renders a generated 1,000,000-line folded profile to SVG and to pprof.
#   bench/flamegraph/run.sh [BUILD_DIR] [LINES]
# Needs `make -C BUILD_DIR kscope_core` first (a RelWithDebInfo build: -O2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
lines=${2:-1000000}
work=${KSCOPE_BENCH_DIR:-/tmp/kscope-flamegraph-bench}
mkdir -p "$work"

g++ -std=c++20 -O2 -Wall -Wextra -Werror -I"$root/userspace" \
  "$here/flamegraph_bench.cpp" "$build/libkscope_core.a" -lz -lfmt -pthread -o "$work/flamegraph_bench"

folded="$work/profile-$lines.folded"
[ -s "$folded" ] || "$work/flamegraph_bench" generate "$folded" --lines "$lines"
ls -l "$folded"
cat "$folded" > /dev/null  # warm the page cache: we time parsing, not the disk

echo "nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for mode in svg pprof html folded; do
  out="$work/out.$mode"
  "$work/flamegraph_bench" $mode "$folded" "$out"
  ls -l "$out" | awk '{print "        output bytes=" $5}'
done
if command -v go >/dev/null; then
  go tool pprof -top "$work/out.pprof" 2>/dev/null | head -8
fi
