#!/bin/bash
# The flame graph's script in a real browser (headless chromium): search
# highlights and reports the matched share, zoom widens the frame and hides
# the rest, and a frame named like markup stays text.
set -euo pipefail
command -v chromium >/dev/null || { echo "skip: chromium is not installed"; exit 77; }
tests="$(dirname "${KSCOPE:-build/kscope}")/kscope_unit_tests"
[ -x "$tests" ] || { echo "skip: $tests is not built"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

KSCOPE_FLAME_SAMPLE_OUT="$dir/flame.html" "$tests" --gtest_filter='FlameSvgSample.*' >/dev/null
# Frames in document order: all, app, <img...>, main, busy, idle.
sed -i 's#</body></html>#<script>kscopeFlame.search("bu.y"); kscopeFlame.zoom(4);</script></body></html>#' \
  "$dir/flame.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$dir/profile" --dump-dom "file://$dir/flame.html" >"$dir/dom.html" 2>"$dir/chromium.log"

fail() { echo "FAIL: $*"; echo "--- dom:"; head -c 4000 "$dir/dom.html"; exit 1; }
grep -q 'Matched: 90.00% (1 frames)' "$dir/dom.html" || fail "search did not report 90% matched"
grep -q 'Reset Search' "$dir/dom.html" || fail "search button did not turn into Reset Search"
# Zoomed on busy: it spans the whole graph, labelled in full; idle is hidden.
grep -Eq '<title>busy \(.*</title><rect x="10.00" y="[0-9]+" width="1180.00"' "$dir/dom.html" \
  || fail "zoomed frame is not full width"
grep -Eq '<g data-i="5" class="kf-hidden"><title>idle' "$dir/dom.html" || fail "sibling of the zoomed frame is shown"
grep -q 'id="kf-reset" class="kf-button" x="10" y="22" visibility="visible"' "$dir/dom.html" \
  || fail "Reset Zoom is not shown"
# The hostile name is text, never an element.
if grep -q '<img' "$dir/dom.html"; then fail "a frame name became an element"; fi
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$dir/dom.html" || fail "hostile name missing"
echo "ok: search, zoom and escaping work in chromium"
