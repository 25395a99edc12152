#!/usr/bin/env bash
# Five hundred dashboards watch live at once: 500 WebSocket clients subscribe
# together and each receives every interval's update (none missing over ~10
# intervals of 0.5 s), while one more client subscribes to large queries and
# never reads. That one loses its own updates (kscope_websocket_dropped_total)
# and is cut off (kscope_websocket_cut_total), and the 500 are not delayed by
# it (update latency p99 well under an interval).
source "$(dirname "$0")/lib.sh"
require_root
/usr/bin/python3 -c 'import websockets' 2>/dev/null || skip "python3-websockets is not installed"
trap stop_kscope EXIT
tmp=$(mktemp -d)
printf 'interval: 500ms\n' >"$tmp/kscope.yaml"
start_kscope --config "$tmp/kscope.yaml"
port=${KSCOPE_URL##*:}
# The first frames, so every subscription has a history to read.
sleep 1.5

/usr/bin/python3 "$(dirname "$0")/websocket_clients.py" --port "$port" --clients 500 --seconds 6.5 \
  --interval 0.5 --slow --slow-wait 20 >"$tmp/result.json" || fail "the client program failed"
cat "$tmp/result.json"
/usr/bin/python3 - "$tmp/result.json" <<'PY' || fail "the 500 clients did not all get every update"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["connected"] == 500, f"only {r['connected']} of 500 clients subscribed: {r['errors']}"
assert r["error_count"] == 0, r["errors"]
assert r["intervals"] >= 9, f"only {r['intervals']} whole intervals seen"
assert r["missing_updates"] == 0, f"{r['clients_missing_updates']} clients missed {r['missing_updates']} updates"
assert r["updates"] == 500 * r["intervals"], r
# Not delayed by the client that never reads (the interval is 500 ms).
assert r["latency_ms_p99"] < 400, f"update p99 {r['latency_ms_p99']} ms"
assert r["slow_client_closed"], "the client that never reads was not cut off"
PY
metrics=$(curl -fsS "$KSCOPE_URL/metrics") || fail "cannot read /metrics"
value() { awk -v n="$1" '$1 == n {print $2}' <<<"$metrics"; }
dropped=$(value 'kscope_websocket_dropped_total{reason="queue_full"}')
cut=$(value 'kscope_websocket_cut_total{reason="slow"}')
[[ ${dropped:-0} != 0 ]] || fail "no update counted as dropped for the slow client"
[[ ${cut:-0} == 1 ]] || fail "kscope_websocket_cut_total is ${cut:-absent}, expected 1 (the one slow client)"
kill -0 "$KSCOPE_PID" || fail "kscope run died"
echo "ok: 500 clients got every update; slow client: $dropped updates dropped, cut off"
