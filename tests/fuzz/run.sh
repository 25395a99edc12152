#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (KSCOPE_FUZZ_SECONDS, default 10)
# on its seed corpus (tests/fuzz/corpus/<target>/, read-only: new inputs go to
# a temporary folder). A crash, leak, UB report or timeout fails; the input
# that did it is left in OUT/crashes/ for a regression seed.
# Usage: run.sh [OUT]   (OUT as for build.sh; builds first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../build-fuzz}"
"$here/build.sh" "$out"
seconds="${KSCOPE_FUZZ_SECONDS:-10}"
mkdir -p "$out/crashes"
failed=0
for bin in "$out"/*_fuzz; do
  name="$(basename "$bin" _fuzz)"
  work="$(mktemp -d)"
  log="$out/$name.log"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$out/crashes/$name-" "$work" "$here/corpus/$name" >"$log" 2>&1; then
    echo "fuzz $name: ok, $(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | awk '{print $2}') runs in ${seconds}s"
  else
    echo "fuzz $name: FAILED (log $log)"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -5
    failed=1
  fi
  rm -rf "$work"
done
exit "$failed"
