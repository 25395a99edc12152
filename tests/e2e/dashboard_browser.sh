#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (Debian's) loads it from
# `kscope run`, waits for live WebSocket data, checks the charts got points,
# records a flame graph (or sees the explanation when profiles are not
# there), checks an alert card (value, threshold, since; a hostile target
# name shown as text), and inspects screenshots in dark, light and phone
# layouts.
# KSCOPE_SCREENSHOT_DIR keeps the screenshots.
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"
out="${KSCOPE_SCREENSHOT_DIR:-$(mktemp -d)}"
mkdir -p "$out"
load_pid=""
alert_pid=""
work=$(mktemp -d)
cleanup() {
  # A killed child's status must not become the test's (set -e).
  if [[ -n "$load_pid" ]]; then kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; fi
  if [[ -n "$alert_pid" ]]; then kill "$alert_pid" 2>/dev/null || true; wait "$alert_pid" 2>/dev/null || true; fi
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT
# A rule that stays pending (for: 1h) on a process whose name is HTML, so the
# page shows an alert card to check.
cat >"$work/kscope.yaml" <<'YAML'
alerts:
  rules:
    - name: BrowserCardBusy
      target: "<img src=x>"
      for: 1h
      threshold: {signal: traffic.syscalls_per_second, op: ">", value: 10/s}
YAML
start_kscope --config "$work/kscope.yaml"
# ~400 syscalls/s for 30 s, under that name.
"$KSCOPE_WORKLOAD_DIR/syscall_workload" "<img src=x>" 6000 5000 &
alert_pid=$!
# Some steady, bounded traffic to watch.
( for _ in $(seq 1 400); do head -c 65536 /dev/zero >/dev/null; sleep 0.05; done ) &
load_pid=$!
NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_browser.js" "$KSCOPE_URL/" "$out"
