#!/usr/bin/env bash
# A webhook receiver that is down when an alert fires gets the notification
# once it comes back (kscope retries with backoff and reports the sink down
# in /api/v1/health meanwhile). Then SIGHUP reloads the rules while the alert
# fires: no second firing notification, the alert keeps its state.
source "$(dirname "$0")/lib.sh"
require_root

work=$(mktemp -d)
RX_PID=""
cleanup() {
  stop_kscope
  if [[ -n "$RX_PID" ]]; then kill "$RX_PID" 2>/dev/null; wait "$RX_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rx_port=$(free_port)
comm="kscwh$$"
comm=${comm:0:15}
write_config() {  # $1: threshold
  cat >"$work/kscope.yaml" <<YAML
alerts:
  sinks:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$rx_port/hook", retries: 20, backoff: 500ms, timeout: 2s,
       token_env: KSCOPE_E2E_HOOK_TOKEN}
  rules:
    - name: FailingOpens
      severity: warning
      target: $comm
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: $1
YAML
}
write_config 100/s
export KSCOPE_E2E_HOOK_TOKEN="tok-$$"
start_kscope --config "$work/kscope.yaml"

# 2000 failing openat per second (over the 100/s threshold) for 12 seconds.
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 2000 12 &
WL=$!

health_sink() {
  curl -fsS "$KSCOPE_URL/api/v1/health" |
    python3 -c 'import json,sys; h=json.load(sys.stdin); s=[x for x in h["alert_sinks"] if x["name"]=="hook"][0]; print(s["up"], s["retries"], h["status"])'
}
# The receiver is down: the sink reports it and retries.
for _ in $(seq 1 80); do
  read -r up retries status < <(health_sink)
  [[ "$up" == "False" && "$retries" -ge 1 ]] && break
  sleep 0.25
done
[[ "$up" == "False" ]] || { cat "$KSCOPE_LOG"; fail "sink never reported down (up=$up retries=$retries)"; }
[[ "$status" == "degraded" ]] || fail "health status is $status with a sink down"
echo "sink down as expected: retries=$retries"

cat >"$work/rx.py" <<'PY'
import http.server, sys
out = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        out.write(self.headers.get("Authorization", "") + "\t" + body.decode() + "\n"); out.flush()
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/rx.py" "$rx_port" "$work/received" &
RX_PID=$!

for _ in $(seq 1 80); do
  grep -q '"status":"firing"' "$work/received" 2>/dev/null && break
  sleep 0.25
done
grep -q '"status":"firing"' "$work/received" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "the firing notification never arrived after the receiver came back"; }
line=$(grep '"status":"firing"' "$work/received" | head -1)
[[ "$line" == "Bearer tok-$$"$'\t'* ]] || fail "no bearer token: $line"
grep -q "\"comm\":\"$comm\"" <<<"$line" || fail "no comm label: $line"
grep -q '"alertname":"FailingOpens"' <<<"$line" || fail "no alertname: $line"
read -r up retries status < <(health_sink)
[[ "$up" == "True" ]] || fail "sink still down after delivery"
echo "delivered after $retries retries"

# SIGHUP with a new threshold while the alert fires: state kept, nothing re-sent.
kill -0 "$WL" 2>/dev/null || fail "workload ended before the reload could be tested"
write_config 200/s
kill -HUP "$KSCOPE_PID"
sleep 2
grep -q 'alerts reloaded rules=1' "$KSCOPE_LOG" || fail "SIGHUP did not reload the rules"
kill -0 "$WL" 2>/dev/null || fail "workload ended before the reload could be checked"
url_has "$KSCOPE_URL/api/v1/alerts?rule=FailingOpens" '"state": "firing"' ||
  fail "alert lost its firing state on reload"
wait "$WL"
for _ in $(seq 1 40); do
  grep -q '"status":"resolved"' "$work/received" && break
  sleep 0.25
done
grep -q '"status":"resolved"' "$work/received" || fail "no resolved notification"
firing=$(grep -c '"status":"firing"' "$work/received")
[[ "$firing" -eq 1 ]] || fail "$firing firing notifications, want exactly 1 (dedup across reload)"
echo "ok: webhook got firing after retry, then resolved; one firing notification"
