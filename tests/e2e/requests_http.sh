#!/usr/bin/env bash
# HTTP request metrics end to end: `kscope run` with probes.l7 enabled
# watches a real nginx and real clients (curl with keep-alive, a POST with a
# body, a raw client whose target needs escaping), and /metrics counts
# exactly the requests nginx wrote in its own access log, per method and
# status, on the server side (comm nginx) and on the client side
# (server_port nginx's), in OpenTelemetry's buckets. No query string
# reaches a label, every label value is escaped, a configured route
# pattern names its paths (and a bad one is refused by --check-config), and
# the drops are exported; SIGINT then stops the agent cleanly.
source "$(dirname "$0")/lib.sh"
require_root
command -v nginx >/dev/null || fail "nginx missing (scripts/packages.txt: nginx-light)"
work=$(mktemp -d)
chmod 755 "$work"  # nginx's worker (nobody) reads the static file
nginx_pid=""
cleanup() {
  [[ -n "$nginx_pid" ]] && kill_and_reap "$nginx_pid"
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

# A path prefix of letters only (the route heuristics keep it as it is), so
# that another nginx on the host never adds to this test's series.
word=e2e$(tr -dc 'a-z' </dev/urandom | head -c 10 || true)
port=$(free_port)
mkdir -p "$work/www/$word"
echo "static body" >"$work/www/$word/static.txt"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  log_format truth '\$request_method \$status';
  access_log $work/access.log truth;
  keepalive_requests 1000;
  sendfile on;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    location = /$word/ok { return 200 "ok\n"; }
    location = /$word/boom { return 500; }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
nginx_pid=$!
# Connecting without a request leaves nothing in the access log.
accepts() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.5).close()" 2>/dev/null; }
deadline=$((SECONDS + 5))
until accepts; do
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/error.log"; fail "nginx exited at start"; }
  ((SECONDS < deadline)) || fail "nginx does not accept on 127.0.0.1:$port"
  sleep 0.05
done

# A route pattern the request engine cannot use is refused, by its place.
cat >"$work/bad.yaml" <<YML
probes:
  l7:
    enabled: true
    routes:
      - service: nginx
        patterns: ["users/{id}"]
YML
if err=$("$KSCOPE" run --check-config "$work/bad.yaml" 2>&1); then fail "a bad route pattern passed --check-config"; fi
[[ $err == *"probes.l7.routes[0].patterns[0]: route pattern \"users/{id}\" does not start with '/'"* ]] ||
  fail "--check-config does not name the bad route pattern: $err"

cat >"$work/kscope.yaml" <<YML
interval: 1s
probes:
  l7:
    enabled: true
    routes:
      - service: nginx
        patterns: ["/$word/orders/{id}"]
YML
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# The load: several URLs per curl, so keep-alive reuses each connection.
base="http://127.0.0.1:$port/$word"
repeat() { local i; for ((i = 0; i < $2; i++)); do echo "$1"; done; }
for _ in 1 2 3; do
  mapfile -t urls < <(repeat "$base/ok?token=secret" 10)
  curl -fsS "${urls[@]}" >/dev/null
done
mapfile -t urls < <(repeat "$base/missing" 7)
curl -sS "${urls[@]}" >/dev/null
mapfile -t urls < <(repeat "$base/boom" 5)
curl -sS "${urls[@]}" >/dev/null
mapfile -t urls < <(repeat "$base/static.txt" 4)
curl -fsS "${urls[@]}" >/dev/null  # the body goes by sendfile, the head by writev
curl -fsS -d 'user=ann&password=hunter2' "$base/ok" >/dev/null
# nginx's configured pattern names both (the heuristics would keep "abc").
curl -sS "$base/orders/1234" "$base/orders/abc" >/dev/null
# A target with a quote and a backslash: its route label must be escaped.
python3 - "$port" "$word" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
s.sendall(b'GET /' + sys.argv[2].encode() + b'/say"hi\\there HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
while s.recv(4096):
    pass
PY

# nginx's own count of what it answered: the truth.
deadline=$((SECONDS + 5))
until (($(wc -l <"$work/access.log") == 50)); do
  ((SECONDS < deadline)) || { cat "$work/access.log"; fail "nginx logged $(wc -l <"$work/access.log") requests, want 50"; }
  sleep 0.05
done

# Compares /metrics with the access log; prints why not when they differ.
check() {
  curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt" || return 1
  python3 - "$work/metrics.txt" "$work/access.log" "$word" "$port" <<'PY'
import collections, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
truth = collections.Counter(tuple(l.split()) for l in open(sys.argv[2]) if l.strip())
word, port = sys.argv[3], sys.argv[4]
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? \S+$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
unescape = lambda v: re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
server, client = collections.Counter(), collections.Counter()
problems = []
for line in text.splitlines():
    if line.startswith("#"):
        continue
    m = sample.match(line)
    if not m:
        problems.append("not a valid (escaped) sample line: " + line)
        continue
    labels = {k: unescape(v) for k, v in label.findall(m.group(2) or "")}
    key = (labels.get("http_request_method"), labels.get("http_response_status_code"))
    value = float(line.rsplit(" ", 1)[1])
    if m.group(1) == "http_server_request_duration_seconds_count" and labels.get("http_route", "").startswith("/" + word + "/"):
        if labels.get("comm") != "nginx":
            problems.append("server series not labelled comm=nginx: " + line)
        server[key] += value
    elif m.group(1) == "http_client_request_duration_seconds_count" and labels.get("server_port") == port:
        if labels.get("server_address") != "127.0.0.1":
            problems.append("client series with a wrong server_address: " + line)
        client[key] += value
for side, got in (("server", server), ("client", client)):
    if got != truth:
        problems.append(f"{side} counts {dict(got)} != nginx's access log {dict(truth)}")
# Privacy: neither the query string nor the body reaches /metrics.
for secret in ("secret", "token=", "hunter2"):
    if secret in text:
        problems.append(f"{secret!r} appears in /metrics")
for v in label.findall(text):
    if v[0] == "http_route" and "?" in v[1]:
        problems.append("a query string in a route: " + v[1])
# The pattern is nginx's (its service), so it names the server side only.
if any(l.startswith("http_server_") and "/orders/abc" in l for l in text.splitlines()):
    problems.append("a path nginx's route pattern should have named is in /metrics")
for want in ('http_route="/%s/ok"' % word, 'http_route="/%s/orders/{id}",network_protocol_version="1.1",url_scheme="http"' % word, 'http_route="/%s/say\\"hi\\\\there"' % word,
             'kscope_l7_dropped_total{protocol="http",reason="unparsed"}',
             'kscope_l7_dropped_total{protocol="unknown",reason="ring_full"}',
             # OpenTelemetry's boundaries, not the syscall latencies' 1e-05...
             'http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="500",'
             'http_route="/%s/boom",network_protocol_version="1.1",url_scheme="http",comm="nginx",le="0.005"}' % word):
    if want not in text:
        problems.append("missing from /metrics: " + want)
if 'le="1e-05"' in "\n".join(l for l in text.splitlines() if l.startswith("http_")):
    problems.append("an HTTP duration exported at the syscall buckets")
if text.count("# TYPE kscope_l7_dropped_total ") != 1:
    problems.append("kscope_l7_dropped_total is not one family")
print("\n".join(problems) if problems else f"ok: server {dict(server)}, client {dict(client)}")
sys.exit(1 if problems else 0)
PY
}

# Poll until /metrics agrees or a deadline passes (records and collections
# lag on a loaded host); a count above the truth never agrees.
deadline=$((SECONDS + 10))
until out=$(check); do
  ((SECONDS < deadline)) || { echo "$out"; tail -5 "$KSCOPE_LOG"; fail "/metrics does not match nginx's access log"; }
  sleep 0.3
done
echo "$out"
# Nothing is counted twice later (a connection's close, idle eviction).
wait_interval
out=$(check) || { echo "$out"; fail "/metrics changed after it matched the access log"; }

# Coverage: 200,000 bytes of binary noise over loopback (one process, both
# ends tracked) are routed to no protocol: kscope_l7_routed_bytes_total
# {protocol="unknown"} and the kernel's kscope_l7_socket_bytes_total each
# grow by at least both ends' 400,000, and the kernel's count is never below
# what was routed.
# One scrape for all the values compared (a scrape is HTTP traffic itself).
scrape() { curl -fsS "$KSCOPE_URL/metrics" >"$work/m.txt"; }
sample() { awk -v k="$1" '$1 == k {print $2}' "$work/m.txt"; }
scrape
unknown0=$(sample 'kscope_l7_routed_bytes_total{protocol="unknown"}')
socket0=$(sample kscope_l7_socket_bytes_total)
[[ -n $unknown0 && -n $socket0 ]] || fail "no routed or socket byte counters in /metrics"
python3 - <<'PY'
import socket, threading
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
got = []
def serve():
    c, _ = srv.accept(); n = 0
    while True:
        b = c.recv(65536)
        if not b: break
        n += len(b)
    got.append(n); c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(srv.getsockname(), 2)
cl.sendall(b"\xff" * 200000); cl.close(); t.join(5)
assert got == [200000], got
PY
deadline=$((SECONDS + 10))
while :; do
  scrape
  unknown=$(sample 'kscope_l7_routed_bytes_total{protocol="unknown"}')
  socket=$(sample kscope_l7_socket_bytes_total)
  http=$(sample 'kscope_l7_routed_bytes_total{protocol="http"}')
  if python3 -c "import sys; u0,s0,u,s=map(float,sys.argv[1:]); sys.exit(0 if u-u0 >= 400000 and s-s0 >= 400000 else 1)" \
    "$unknown0" "$socket0" "$unknown" "$socket"; then break; fi
  ((SECONDS < deadline)) || fail "noise not counted: unknown $unknown0 -> $unknown, socket $socket0 -> $socket"
  sleep 0.3
done
python3 -c "import sys; h,u,s=map(float,sys.argv[1:]); sys.exit(0 if h > 0 and s >= h + u else 1)" "$http" "$unknown" "$socket" ||
  fail "socket bytes $socket below routed http $http + unknown $unknown"
ratio=$(sample kscope_l7_coverage_ratio)
[[ -z $ratio ]] || python3 -c "import sys; r=float(sys.argv[1]); sys.exit(0 if 0 <= r <= 1 else 1)" "$ratio" ||
  fail "coverage ratio $ratio outside [0, 1]"
echo "ok: coverage counters (unknown $unknown0 -> $unknown, socket $socket0 -> $socket, http $http, ratio ${ratio:-absent})"

# A clean stop: the l7 poll thread ends and the agent exits 0, promptly.
kill -INT "$KSCOPE_PID"
deadline=$((SECONDS + 5))
while kill -0 "$KSCOPE_PID" 2>/dev/null; do
  ((SECONDS < deadline)) || { tail -5 "$KSCOPE_LOG"; fail "kscope run did not stop within 5 s of SIGINT"; }
  sleep 0.05
done
rc=0
wait "$KSCOPE_PID" || rc=$?
KSCOPE_PID=""
((rc == 0)) || { tail -5 "$KSCOPE_LOG"; fail "kscope run exited with status $rc"; }
echo "PASS"
