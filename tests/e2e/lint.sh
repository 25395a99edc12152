#!/usr/bin/env bash
# scripts/lint.sh on the build being tested: clang-tidy and clang-format find
# nothing that scripts/lint_baseline.txt does not already list. The build dir
# is the one of the kscope binary under test ($KSCOPE, which CMake puts at
# the top of its build dir), whose compile_commands.json CMake exports.
# Needs no root; takes ~5 minutes of two cores.
source "$(dirname "$0")/lib.sh"
root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${KSCOPE_BUILD_DIR:-$(dirname "${KSCOPE:-$root/build/kscope}")}
[[ -f "$build/compile_commands.json" ]] || fail "no compile_commands.json in $build (KSCOPE=${KSCOPE:-unset})"
"$root/scripts/lint.sh" "$build" || fail "new lint findings (above): fix them, or see docs/architecture.md \"Lint\""
