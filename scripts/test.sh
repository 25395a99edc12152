#!/usr/bin/env bash
# README command 2: install what is missing, build, and run every test:
# unit (no privileges), bpf (root: real probes) and e2e (real binary, real
# peers); then the unit and bpf suites again under ASan+UBSan
# (scripts/test_sanitize.sh, build-asan/). Arguments go to the first ctest.
# KSCOPE_SKIP_SANITIZE=1 skips the second pass (it adds ~13 min on 2 cores).
# The last lines sum up both passes; the exit code is non-zero if either
# had a failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${KSCOPE_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
status=0
(cd "$build" && ctest --output-on-failure --timeout 900 "$@") 2>&1 | tee "$logs/tests" || status=1
if [[ -z "${KSCOPE_SKIP_SANITIZE:-}" ]]; then
  "$root/scripts/test_sanitize.sh" 2>&1 | tee "$logs/sanitize" || status=1
fi

# ctest's own summary ("N% tests passed, ...", the failed names) of each
# pass, so a failure in the first is not hidden by a green second one.
summary() {
  local name="$1" log="$2"
  [[ -f "$log" ]] || return 0
  local line
  line="$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)"
  echo "$name: ${line:-no ctest summary (the build or ctest itself failed, see above)}"
  awk '/^The following tests FAILED:/ {f = 1; next} f && /^[ \t]+[0-9]+ - / {print; next} {f = 0}' "$log"
}
echo
echo "== summary"
summary "tests (${build})" "$logs/tests"
if [[ -n "${KSCOPE_SKIP_SANITIZE:-}" ]]; then
  echo "sanitizer tests: skipped (KSCOPE_SKIP_SANITIZE is set)"
else
  summary "sanitizer tests (ASan+UBSan, ${KSCOPE_ASAN_BUILD_DIR:-$root/build-asan})" "$logs/sanitize"
fi
# One plain closing line over both passes ("N passed, N failed").
passed=0
failed=0
for log in "$logs/tests" "$logs/sanitize"; do
  [[ -f "$log" ]] || continue
  line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
  [[ -n "$line" ]] || continue
  f="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
  t="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")"
  passed=$((passed + t - f))
  failed=$((failed + f))
done
if ((status != 0)); then
  echo "FAILED"
fi
echo "ctest: ${passed} passed, ${failed} failed"
exit "$status"
