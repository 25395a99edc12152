#!/usr/bin/env bash
# The service map end to end: one client process (named svcmap-client)
# calls a real nginx over HTTP and a real redis-server over RESP, both on
# this host; /api/v1/services shows the two edges from it, each with its
# protocol, its server resolved to the process that listens there (nginx,
# redis-server), a request rate, the 503 share nginx answered, and p99;
# `kscope top --view edges` lists the same two edges.
source "$(dirname "$0")/lib.sh"
require_root
command -v nginx >/dev/null || fail "nginx missing (scripts/packages.txt: nginx-light)"
command -v redis-server >/dev/null || fail "redis-server missing (scripts/packages.txt)"
work=$(mktemp -d)
chmod 755 "$work"
nginx_pid="" redis_pid="" client_pid=""
cleanup() {
  kill_and_reap $client_pid $nginx_pid $redis_pid
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port) redis_port=$(free_port)
start_nginx "$work" "$port" 'keepalive_requests 100000;' 'location = /ok { return 200 "ok\n"; }' \
  'location = /unavailable { return 503; }'
nginx_pid=$NGINX_PID
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
deadline=$((SECONDS + 5))
until curl -fsS "http://127.0.0.1:$port/ok" >/dev/null 2>&1 && redis-cli -p "$redis_port" ping >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "nginx or redis-server does not answer"
  sleep 0.05
done

printf 'interval: 1s\nprobes:\n  l7:\n    enabled: true\n' >"$work/kscope.yaml"
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# One process, two servers, for 40 s at most: every round 3 GETs of /ok and
# one of /unavailable on a keep-alive connection, and one INCR.
/usr/bin/python3 - "$port" "$redis_port" <<'PY' &
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"svcmap-client", 0, 0, 0)
http = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
redis = socket.create_connection(("127.0.0.1", int(sys.argv[2])), 2)
def get(path):
    http.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += http.recv(4096)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    body = head.split(b"\r\n\r\n", 1)[1]
    while len(body) < length:
        body += http.recv(4096)
end = time.time() + 40
while time.time() < end:
    for path in (b"/ok", b"/ok", b"/ok", b"/unavailable"):
        get(path)
    redis.sendall(b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n")
    redis.recv(64)
    time.sleep(0.02)
PY
client_pid=$!

check_map() {
  curl -fsS "$KSCOPE_URL/api/v1/services" | python3 -c '
import json, sys
j = json.load(sys.stdin)
port, redis_port = sys.argv[1], sys.argv[2]
mine = [e for e in j["edges"] if e["client"] == "svcmap-client"]
http = [e for e in mine if e["protocol"] == "http" and e["server"]["port"] == port]
resp = [e for e in mine if e["protocol"] == "redis" and e["server"]["port"] == redis_port]
problems = []
if len(http) != 1 or http[0]["server"]["process"] != "nginx" or http[0]["server"]["address"] != "127.0.0.1":
    problems.append(f"no edge svcmap-client -> nginx: {http}")
elif not (http[0]["requests_per_second"] > 0 and abs(http[0]["error_ratio"] - 0.25) < 0.06 and http[0]["p99_seconds"] > 0):
    problems.append(f"the nginx edge has a wrong rate, 503 share or p99: {http[0]}")
if len(resp) != 1 or resp[0]["server"]["process"] != "redis-server" or not resp[0]["requests_per_second"] > 0:
    problems.append(f"no edge svcmap-client -> redis-server: {resp}")
elif resp[0]["error_ratio"] != 0:
    problems.append(f"INCR failed? {resp[0]}")
print("\n".join(problems) if problems else f"ok: {json.dumps(mine)}")
sys.exit(1 if problems else 0)' "$port" "$redis_port"
}
deadline=$((SECONDS + 20))
until out=$(check_map); do
  ((SECONDS < deadline)) || { echo "$out"; fail "/api/v1/services lacks the client's two edges"; }
  sleep 0.5
done
echo "$out"
# kscope top's edges view: the same two edges, one row each.
"$KSCOPE" top --json --view edges --url "$KSCOPE_URL" | python3 -c '
import json, sys
j = json.load(sys.stdin)
names = [r["target"] for r in j["rows"] if r["target"].startswith("svcmap-client -> ")]
want = {f"svcmap-client -> nginx 127.0.0.1:{sys.argv[1]} (http)", f"svcmap-client -> redis-server 127.0.0.1:{sys.argv[2]} (redis)"}
print("top edges:", names)
sys.exit(0 if set(names) == want and j["view"] == "edges" else 1)' "$port" "$redis_port" || fail "kscope top --view edges lacks the two edges"
echo "ok: the service map (API and kscope top) shows svcmap-client -> nginx (http) and -> redis-server (redis)"
