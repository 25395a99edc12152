#!/usr/bin/env bash
# The standard load for /metrics' weight (bench/metrics_series.py and
# tests/e2e/metrics_series.sh): what a newcomer runs on a small host, for
# SECONDS seconds, paced so two shared cores stay usable.
#
#   bench/standard_load.sh SECONDS
#
# - a web server and its client: nginx + ab (Debian nginx-light,
#   apache2-utils), or python3 -m http.server + curl when they are missing;
#   plus a curl every 0.2 s (a short-lived process each time);
# - redis-server + redis-benchmark (all its tests, 2,000 requests each, every
#   3 s), when installed;
# - a python busy loop (one core at most, for the whole run);
# - dd writing 32 MiB with fsync, then reading it back, every 2 s.
# Everything listens on loopback on free ports and lives in a private temp
# dir; every loop ends at the deadline and the script reaps its children.
set -euo pipefail
seconds=${1:?usage: standard_load.sh SECONDS}
deadline=$((SECONDS + seconds))
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as nobody
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
  local _
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "standard_load: nothing listens on port $1" >&2
  return 1
}
running() { ((SECONDS < deadline)); }

web_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
head -c 16384 /dev/urandom | base64 >"$work/www/index.html"
if command -v nginx >/dev/null; then
  cat >"$work/nginx.conf" <<CONF
daemon on;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$web_port; root $work/www; }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx/error.log"
else
  (cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$web_port" >/dev/null 2>&1) &
  pids+=($!)
fi
wait_port "$web_port"
url="http://127.0.0.1:$web_port/index.html"

if command -v ab >/dev/null; then
  (while running; do ab -q -k -c 4 -n 3000 "$url" >/dev/null 2>&1 || true; sleep 1; done) &
  pids+=($!)
fi
(while running; do curl -fsS -o /dev/null "$url" || true; sleep 0.2; done) &
pids+=($!)

if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --logfile "$work/redis.log" &
  pids+=($!)
  wait_port "$redis_port"
  (while running; do redis-benchmark -p "$redis_port" -q -c 4 -n 2000 >/dev/null 2>&1 || true; sleep 3; done) &
  pids+=($!)
fi

python3 -c "import time
end = time.time() + $seconds
while time.time() < end: pass" &
pids+=($!)

(while running; do
  dd if=/dev/zero of="$work/dd.bin" bs=1M count=32 conv=fsync status=none
  dd if="$work/dd.bin" of=/dev/null bs=64k status=none
  sleep 2
done) &
pids+=($!)

while running; do sleep 1; done
