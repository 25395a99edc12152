#!/usr/bin/env bash
# Configures and builds everything into build/ (BPF objects and skeletons,
# the kscope binary, tests, workloads). Warnings are errors.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${KSCOPE_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DKSCOPE_WERROR=ON ${KSCOPE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
