#!/bin/bash
# go tool pprof (Debian's golang-go) reads the pprof files kscope writes:
# runs the unit test that writes one and checks `go tool pprof -top`.
set -euo pipefail
command -v go >/dev/null || { echo "skip: go is not installed"; exit 77; }
tests="$(dirname "${KSCOPE:-build/kscope}")/kscope_unit_tests"
[ -x "$tests" ] || { echo "skip: $tests is not built"; exit 77; }
out=$("$tests" --gtest_filter='PprofGoTool.*' 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -q '\[  PASSED  \] 1 test' || { echo "$out"; exit 1; }
if echo "$out" | grep -q SKIPPED; then echo "$out"; exit 77; fi
echo "ok: go tool pprof -top reads kscope's pprof"
