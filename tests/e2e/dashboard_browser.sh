#!/bin/bash
# The dashboard in a real browser: headless Chromium (Debian's) loads it from
# `kscope run`, waits for live WebSocket data, checks the charts got points,
# records a flame graph (or sees the explanation when profiles are not
# there), and inspects screenshots in dark, light and phone layouts.
set -euo pipefail
source "$(dirname "$0")/common.bash"
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[ -x /usr/bin/chromium ] || skip "chromium is not installed (apt-get install chromium)"
[ -d "$WEB/node_modules/playwright-core" ] || skip "playwright-core missing: run (cd userspace/web && npm ci)"

PORT=$(free_port)
start_kscope "$PORT"
# Some steady traffic to watch.
( for _ in $(seq 1 400); do head -c 65536 /dev/zero >/dev/null; sleep 0.05; done ) &
EXTRA_PIDS=$!
OUT="${KSCOPE_SCREENSHOT_DIR:-$WORK}"
mkdir -p "$OUT"
NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_browser.js" "http://127.0.0.1:$PORT/" "$OUT"
