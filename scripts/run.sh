#!/usr/bin/env bash
# README command 1: install what is missing, build, and run `kscope run` with
# its embedded default config (metrics on http://127.0.0.1:9494/metrics).
# Extra arguments go to `kscope run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "${KSCOPE_BUILD_DIR:-$root/build}/kscope" run "$@"
