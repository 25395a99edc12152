#!/usr/bin/env bash
# A webhook receiver that is slow (answers after the sink's timeout) and then
# fails with 500 before it accepts: kscope keeps serving promptly meanwhile,
# counts the failures as retries, and the firing notification arrives.
# libcurl is mapped only once the sink has posted, not when it is configured.
# (A receiver that is down is alertmanager_webhook_retry.sh.)
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
comm="kscsf$$"
comm=${comm:0:15}
cat >"$work/rx.py" <<'PY'
import http.server, sys, time
out = open(sys.argv[2], "a")
n = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global n
        n += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if n == 1:
            time.sleep(4)  # past the sink's 1 s timeout
            code = 200
        elif n <= 3:
            code = 500
        else:
            code = 200
        out.write(f"{n}\t{code}\t{body.decode()}\n"); out.flush()
        try:
            self.send_response(code); self.end_headers(); self.wfile.write(b"x")
        except OSError:
            pass
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/rx.py" "$rx_port" "$work/received" &
RX_PID=$!

cat >"$work/kscope.yaml" <<YAML
alerts:
  sinks:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$rx_port/hook", retries: 10, backoff: 300ms, timeout: 1s}
  rules:
    - name: FailingOpens
      severity: warning
      target: $comm
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
start_kscope --config "$work/kscope.yaml"
wait_interval
! maps_libcurl "$KSCOPE_PID" || fail "libcurl mapped before the webhook sink posted anything"
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 2000 12 &
WL=$!

worst=0
for _ in $(seq 1 60); do
  t=$(curl -fsS -o /dev/null -w '%{time_total}' --max-time 5 "$KSCOPE_URL/api/v1/health") || fail "health failed while the sink struggles"
  worst=$(python3 -c "print(max($worst, $t))")
  grep -q $'\t200\t.*"status":"firing"' "$work/received" 2>/dev/null && [[ $(wc -l <"$work/received") -ge 4 ]] && break
  sleep 0.25
done
[[ $(wc -l <"$work/received" 2>/dev/null || echo 0) -ge 4 ]] || { cat "$KSCOPE_LOG"; fail "no successful delivery after the slow and failing answers: $(cat "$work/received" 2>/dev/null)"; }
maps_libcurl "$KSCOPE_PID" || fail "webhook delivered, yet libcurl is not in /proc/$KSCOPE_PID/maps"
python3 -c "import sys; sys.exit(0 if $worst < 1.0 else 1)" || fail "health took ${worst}s while the sink was slow"
retries=$(curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); print([x for x in h["alert_sinks"] if x["name"]=="hook"][0]["retries"])')
[[ "$retries" -ge 3 ]] || fail "sink retries $retries, want >= 3 (timeout, 500, 500)"
grep -q 'sink=hook delivery failed' "$KSCOPE_LOG" || fail "no log line for the failed delivery"
kill "$WL" 2>/dev/null || true
echo "ok: delivered after a timeout and two 500s ($retries retries); health answered within ${worst}s throughout"
