#!/usr/bin/env bash
# README command 2: install what is missing, build, and run every test:
# unit (no privileges), bpf (root: real probes) and e2e (real binary, real
# peers). ctest prints the summary; the exit code is non-zero on failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${KSCOPE_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure --timeout 900 "$@"
# The unit and bpf suites again under ASan+UBSan (build-asan/); set
# KSCOPE_SKIP_SANITIZE=1 to leave them out of a quick local run.
if [[ -z "${KSCOPE_SKIP_SANITIZE:-}" ]]; then
  "$root/scripts/test_sanitize.sh"
fi
