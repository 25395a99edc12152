#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (Debian's) loads it from
# `kscope run`, waits for live WebSocket data, checks the charts got points,
# records a flame graph (or sees the explanation when profiles are not
# there), and inspects screenshots in dark, light and phone layouts.
# KSCOPE_SCREENSHOT_DIR keeps the screenshots.
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"
out="${KSCOPE_SCREENSHOT_DIR:-$(mktemp -d)}"
mkdir -p "$out"
load_pid=""
cleanup() {
  # A killed child's status must not become the test's (set -e).
  if [[ -n "$load_pid" ]]; then kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; fi
  stop_kscope
}
trap cleanup EXIT
start_kscope
# Some steady, bounded traffic to watch.
( for _ in $(seq 1 400); do head -c 65536 /dev/zero >/dev/null; sleep 0.05; done ) &
load_pid=$!
NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_browser.js" "$KSCOPE_URL/" "$out"
