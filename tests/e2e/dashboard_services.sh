#!/usr/bin/env bash
# The dashboard's Services card in a real browser (headless Chromium, as
# dashboard_browser.sh): with request capture on, under a steady load on a
# real nginx (1 request in 4 answered 503), a redis-server and a python3
# server whose process name is HTML, the card lists each process with its
# requests/s, 5xx share and percentiles, redis-server with its database
# operations, the HTML name as text; a click on the 5xx header sorts by it.
# The Service map card draws the edges to the three servers, each named by
# the process listening there, the failing edge to nginx in red.
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"
command -v nginx >/dev/null || fail "nginx missing (scripts/packages.txt: nginx-light)"
command -v redis-server >/dev/null || fail "redis-server missing (scripts/packages.txt)"
work=$(mktemp -d)
chmod 755 "$work"
nginx_pid="" redis_pid="" hostile_pid="" load_pid=""
cleanup() {
  kill_and_reap $load_pid $nginx_pid $redis_pid $hostile_pid
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port) redis_port=$(free_port) hostile_port=$(free_port)
start_nginx "$work" "$port" 'location = /ok { return 200 "ok\n"; }' 'location = /unavailable { return 503; }'
nginx_pid=$NGINX_PID
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
# A server that names itself with HTML (prctl PR_SET_NAME) before it serves.
/usr/bin/python3 - "$hostile_port" >"$work/hostile.log" 2>&1 <<'PY' &
import ctypes, http.server, sys
ctypes.CDLL(None).prctl(15, b"<img src=x>", 0, 0, 0)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"hi\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
hostile_pid=$!
deadline=$((SECONDS + 5))
until curl -fsS "http://127.0.0.1:$port/ok" >/dev/null 2>&1 && redis-cli -p "$redis_port" ping >/dev/null 2>&1 &&
  curl -fsS "http://127.0.0.1:$hostile_port/" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "nginx, redis-server or the python server does not answer"
  sleep 0.05
done

printf 'interval: 1s\nprobes:\n  l7:\n    enabled: true\n' >"$work/kscope.yaml"
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7
# The load, bounded: 60 s at most (the test takes ~20).
load() {
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    curl -sS "http://127.0.0.1:$port/ok" "http://127.0.0.1:$port/ok" "http://127.0.0.1:$port/ok" \
      "http://127.0.0.1:$port/unavailable" "http://127.0.0.1:$hostile_port/" >/dev/null || true
    redis-cli -p "$redis_port" incr k >/dev/null || true
    sleep 0.05
  done
}
load &
load_pid=$!
wait_interval 3
NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_services.js" "$KSCOPE_URL/"
echo "ok: the Services card lists nginx, redis-server and the HTML-named server"
