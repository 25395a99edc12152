#!/usr/bin/env bash
# The unit and privileged tests again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DKSCOPE_SANITIZE=ON) in a second build folder.
# Any report fails the run: UBSan does not recover, ASan's leak check is on.
# Only what the two suites run is built, at -O1 -g1 (line tables: enough for
# ASan's reports, half the compile time of the default -O2 -g) and without
# NDEBUG, so the asserts of the header libraries count too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${KSCOPE_ASAN_BUILD_DIR:-$root/build-asan}"
cmake -S "$root" -B "$build" -DKSCOPE_WERROR=ON -DKSCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Sanitize \
  -DCMAKE_C_FLAGS_SANITIZE="-O1 -g1" -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" >/dev/null
cmake --build "$build" -j "$(nproc)" --target kscope_unit_tests kscope_bpf_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
ctest --output-on-failure --timeout 900 -L 'unit|bpf' "$@"
