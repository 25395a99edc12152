#!/usr/bin/env bash
# `kscope trace http` against a real nginx proxying to a python3 backend:
# --status 5xx shows exactly the 503s nginx answered (server side, comm
# nginx) and curl received (client side), paths without their query
# strings; --min-latency shows the one slow request on all four sides
# (curl -> nginx -> backend); the Ctrl-C summary counts what was seen and
# missed; flags of other trace kinds are refused. Then `kscope run` with
# probes.l7 on publishes the slow and failed requests on /api/v1/events,
# and /api/v1/signals and `kscope top --view services` carry nginx's
# request rate and error share.
source "$(dirname "$0")/lib.sh"
require_root
command -v nginx >/dev/null || fail "nginx missing (scripts/packages.txt: nginx-light)"
work=$(mktemp -d)
chmod 755 "$work"
nginx_pid="" backend_pid="" trace_pid="" load_pid=""
cleanup() {
  kill_and_reap $load_pid $nginx_pid $backend_pid $trace_pid
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

word=e2e$(tr -dc 'a-z' </dev/urandom | head -c 10 || true)
port=$(free_port)
backend_port=$(free_port)
# The backend: /slow answers after 400 ms, anything else at once.
/usr/bin/python3 - "$backend_port" >"$work/backend.log" 2>&1 <<'PY' &
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if "/slow" in self.path:
            time.sleep(0.4)
        body = b"backend\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
backend_pid=$!
start_nginx "$work" "$port" "location = /$word/ok { return 200 \"ok\\n\"; }" \
  "location = /$word/unavailable { return 503; }" \
  "location = /$word/slow { proxy_pass http://127.0.0.1:$backend_port; }"
nginx_pid=$NGINX_PID
base="http://127.0.0.1:$port/$word"
deadline=$((SECONDS + 5))
until curl -fsS "$base/ok" >/dev/null 2>&1 && curl -fsS "$base/slow" >/dev/null 2>&1; do
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/error.log"; fail "nginx exited at start"; }
  ((SECONDS < deadline)) || fail "nginx or the backend does not answer"
  sleep 0.05
done

# Starts `kscope trace http ARGS...` in the background, output in $work/$1.
start_trace() {
  local name=$1
  shift
  "$KSCOPE" trace http "$@" >"$work/$name.out" 2>"$work/$name.err" &
  trace_pid=$!
  local deadline=$((SECONDS + 15))
  until grep -q 'Ctrl-C to stop' "$work/$name.err"; do
    kill -0 "$trace_pid" 2>/dev/null || { cat "$work/$name.err"; fail "kscope trace http $* exited at start"; }
    ((SECONDS < deadline)) || fail "kscope trace http $* did not start"
    sleep 0.05
  done
}
# Stops it with SIGINT once its output has $2 lines (or 10 s passed).
stop_trace() {
  local name=$1 want=$2 deadline=$((SECONDS + 10))
  until (($(wc -l <"$work/$name.out") >= want)) || ((SECONDS >= deadline)); do sleep 0.1; done
  sleep 0.5  # anything more that would come (it must not)
  kill -INT "$trace_pid"
  local rc=0
  wait "$trace_pid" || rc=$?
  trace_pid=""
  ((rc == 0)) || { cat "$work/$name.err"; fail "kscope trace http exited with $rc"; }
  cat "$work/$name.err"
}

# Failed requests only, as JSON. 4 fine, 3 unavailable (with a secret in
# their query string), one 404 (not a server error: shown on the client
# side only, where a 4xx is one).
start_trace status --status 5xx --json
curl -sS "$base/ok" "$base/ok" "$base/ok" "$base/ok" >/dev/null
for _ in 1 2 3; do curl -sS "$base/unavailable?token=secret" >/dev/null; done
curl -sS "$base/missing" >/dev/null
stop_trace status 6
grep -q secret "$work/status.out" && fail "a query string reached kscope trace's output"
python3 - "$work/status.out" "$word" "$port" <<'PY' || fail "kscope trace http --status 5xx: wrong events"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
word, port = sys.argv[2], int(sys.argv[3])
mine = [e for e in events if e["target"].startswith("/" + word + "/")]
server = [e for e in mine if e["side"] == "server"]
client = [e for e in mine if e["side"] == "client"]
problems = []
if len(server) != 3 or any(e["comm"] != "nginx" or e["status"] != "503" or not e["error"] for e in server):
    problems.append(f"server side: want 3 nginx 503s, got {server}")
if len(client) != 3 or any(e["peer"] != f"127.0.0.1:{port}" or e["status"] != "503" or e["comm"] != "curl" for e in client):
    problems.append(f"client side: want 3 503s curl got from 127.0.0.1:{port}, got {client}")
for e in mine:
    if e["type"] != "request" or e["protocol"] != "http" or e["operation"] != "GET":
        problems.append(f"not an HTTP GET request event: {e}")
    if e["target"] != f"/{word}/unavailable" or e["route"] != f"/{word}/unavailable":
        problems.append(f"wrong path or route: {e}")
    if not 0 < e["duration_ns"] < 5e9:
        problems.append(f"absurd duration: {e}")
print("\n".join(problems) if problems else f"ok: {len(server)} server and {len(client)} client 503s")
sys.exit(1 if problems else 0)
PY
grep -Eq '^[0-9]+ shown of [0-9]+ requests seen; [0-9]+ missed' "$work/status.err" ||
  fail "no closing summary: $(cat "$work/status.err")"
seen=$(sed -nE 's/^[0-9]+ shown of ([0-9]+) requests seen.*/\1/p' "$work/status.err")
((seen >= 16)) || fail "the summary saw $seen requests; at least 16 were made (8 on each side)"

# Slow requests only, as text: the one slow request, on all four sides.
start_trace slow --min-latency 300ms
curl -fsS "$base/ok" "$base/slow?q=1" "$base/ok" >/dev/null
stop_trace slow 4
mine=$(grep -c "/$word/slow" "$work/slow.out" || true)
((mine == 4)) || { cat "$work/slow.out"; fail "want the slow request on 4 sides, got $mine lines"; }
grep -q "/$word/ok" "$work/slow.out" && { cat "$work/slow.out"; fail "a fast request passed --min-latency 300ms"; }
grep -Eq "request http server pid=[0-9]+ comm=nginx peer=127.0.0.1:[0-9]+ GET /$word/slow route=/$word/slow status=200 duration=[0-9.]+ms" "$work/slow.out" ||
  { cat "$work/slow.out"; fail "no server-side line of nginx for /slow"; }
grep -Eq "request http client .*comm=nginx peer=127.0.0.1:$backend_port GET /$word/slow .*status=200" "$work/slow.out" ||
  { cat "$work/slow.out"; fail "no client-side line of nginx's request to the backend"; }
grep -Eq "request http server .*comm=python3 .* GET /$word/slow " "$work/slow.out" ||
  { cat "$work/slow.out"; fail "no server-side line of the backend"; }
grep -Eq "request http client .*peer=127.0.0.1:$port GET /$word/slow .*status=200" "$work/slow.out" ||
  { cat "$work/slow.out"; fail "no client-side line of curl"; }
python3 - "$work/slow.out" "$word" <<'PY' || fail "a slow request's duration is not its 400 ms"
import re, sys
for line in open(sys.argv[1]):
    if "/" + sys.argv[2] + "/slow" in line:
        ms = float(re.search(r"duration=([0-9.]+)ms", line).group(1))
        if not 395 <= ms < 3000:
            print("duration out of range:", line.strip()); sys.exit(1)
PY

# Flags of another trace kind, or a status that is not one, are refused.
if err=$("$KSCOPE" trace http --stacks 2>&1); then fail "kscope trace http --stacks was accepted"; fi
[[ $err == *"--stacks"*"applies to"* ]] || fail "--stacks refused without saying why: $err"
if err=$("$KSCOPE" trace http --status '5xx;rm' --duration 1s 2>&1); then fail "a bad --status was accepted"; fi
[[ $err == *"--status"*"is not a status"* ]] || fail "a bad --status refused without saying why: $err"
if err=$("$KSCOPE" trace syscalls --min-latency 1ms --status 5xx 2>&1); then fail "--status with trace syscalls was accepted"; fi

# kscope run: slow (>= 300ms) and failed requests on /api/v1/events.
cat >"$work/kscope.yaml" <<YML
interval: 1s
probes:
  l7:
    enabled: true
    slow_threshold: 300ms
YML
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7
curl -sS "$base/ok" "$base/unavailable?token=secret" "$base/slow" >/dev/null
check_events() {
  curl -fsS "$KSCOPE_URL/api/v1/events?limit=1000" >"$work/events.json" || return 1
  python3 - "$work/events.json" "$word" <<'PY'
import json, sys
events = [e for e in json.load(open(sys.argv[1]))["events"] if e["type"] == "request" and e["target"].startswith("/" + sys.argv[2] + "/")]
got = sorted((e["side"], e["target"].rsplit("/", 1)[1], e["status"]) for e in events)
want = sorted([("server", "unavailable", "503"), ("client", "unavailable", "503")] +
              [(side, "slow", "200") for side in ("server", "server", "client", "client")])
print("ok" if got == want else f"events {got} != {want}")
sys.exit(0 if got == want else 1)
PY
}
deadline=$((SECONDS + 10))
until out=$(check_events); do
  ((SECONDS < deadline)) || { echo "$out"; fail "/api/v1/events lacks the slow and failed requests"; }
  sleep 0.3
done
grep -q secret "$work/events.json" && fail "a query string reached /api/v1/events"
url_has "$KSCOPE_URL/metrics" '^kscope_l7_events_suppressed_total 0' || fail "kscope_l7_events_suppressed_total missing"

# The request signals: under a steady load of /ok and /unavailable (1 in
# 4), nginx's target serves requests at a rate and about a quarter of
# them fail (a batch of four may straddle two intervals).
load() {
  local deadline=$((SECONDS + 25))
  while ((SECONDS < deadline)); do
    curl -sS "$base/ok" "$base/ok" "$base/ok" "$base/unavailable" >/dev/null || true
    sleep 0.05
  done
}
load &
load_pid=$!
check_signals() {
  curl -fsS "$KSCOPE_URL/api/v1/signals" | python3 -c '
import json, sys
s = json.load(sys.stdin)
t = [x for x in s["targets"] if x["target"] == "nginx"]
if not t:
    print("no nginx target"); sys.exit(1)
rps = t[0]["traffic"]["requests_per_second"]
ratio = t[0]["errors"]["request_error_ratio"]
count = t[0]["latency"]["request"]["count"] if t[0]["latency"]["request"] else 0
ok = rps is not None and rps > 0 and ratio is not None and count >= 8 and abs(ratio - 0.25) < 0.06  # a batch of 4 may straddle two intervals
print(f"nginx: {rps} requests/s, error ratio {ratio}, {count} requests in the interval")
sys.exit(0 if ok else 1)'
}
deadline=$((SECONDS + 12))
until out=$(check_signals); do
  ((SECONDS < deadline)) || { kill_and_reap $load_pid; echo "$out"; fail "/api/v1/signals lacks nginx's request signals"; }
  sleep 0.3
done
echo "$out"
# kscope top's services view: nginx's row, its request rate and 5xx share.
check_top() {
  "$KSCOPE" top --json --view services --url "$KSCOPE_URL" --interval 2s | python3 -c '
import json, sys
j = json.load(sys.stdin)
rows = [r for r in j["rows"] if r["target"] == "nginx"]
if j["view"] != "services" or not rows:
    print("no nginx row in", j); sys.exit(1)
r = rows[0]
ok = (r["requests_per_second"] or 0) > 0 and r["request_error_ratio"] is not None and abs(r["request_error_ratio"] - 0.25) < 0.06 and (r["request_p99_seconds"] or 0) > 0
print(f"top services: nginx {r}")
sys.exit(0 if ok else 1)'
}
deadline=$((SECONDS + 10))
until out=$(check_top); do
  ((SECONDS < deadline)) || { kill_and_reap $load_pid; echo "$out"; fail "kscope top --view services lacks nginx's requests"; }
  sleep 0.5
done
kill_and_reap $load_pid
echo "$out"
echo "ok: kscope trace http, request events, request signals and kscope top's services"
