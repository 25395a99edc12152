#!/usr/bin/env bash
# The HTTP/WebSocket server under load, for one kscope binary: threads and
# RSS, /api/v1/health on one keep-alive connection (wrk -c1), health and
# signals p99 with 1,000 keep-alive clients (wrk -c1000), /metrics p99 at 10
# scrapes/s, WebSocket update latency at 1/100/500 clients.
#   sudo bench/http_server/run.sh path/to/kscope ["1 100 500"]
# (the second argument: WebSocket client counts; a civetweb build serves 4
# clients at most, so give it "1")
# Needs wrk, curl and python3-websockets (Debian).
set -euo pipefail
kscope=${1:?usage: run.sh KSCOPE [CLIENT_COUNTS]}
ws=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
printf 'interval: 1s\n' >"$tmp/kscope.yaml"
"$kscope" run --config "$tmp/kscope.yaml" --listen "127.0.0.1:$port" >"$tmp/log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fsS "$url/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 3
threads() { ls /proc/$pid/task | wc -l; }
rss() { awk '/^VmRSS/ {print $2 " kB"}' /proc/$pid/status; }
echo "idle: threads=$(threads) rss=$(rss)"

p() { awk '/ 99%/ {p99=$2} / 50%/ {p50=$2} /Requests\/sec/ {rps=$2} END {print "p50=" p50 " p99=" p99 " req/s=" rps}'; }
echo "health wrk -c1 -t1 10s: $(wrk -c1 -t1 -d10s --latency "$url/api/v1/health" | p)"
echo "health wrk -c1000 -t2 10s: $(wrk -c1000 -t2 -d10s --latency "$url/api/v1/health" | p)"
echo "signals wrk -c1000 -t2 10s: $(wrk -c1000 -t2 -d10s --latency "$url/api/v1/signals" | p)"
echo "after wrk: threads=$(threads) rss=$(rss)"
series=$(curl -fsS "$url/metrics" | grep -vc '^#')
for _ in $(seq 100); do
  curl -s -o /dev/null -w '%{time_total}\n' "$url/metrics"
  sleep 0.1
done | sort -n | awk -v s="$series" '{v[NR]=$1*1000} END {printf "metrics (%d series) 100 scrapes at ~10/s: p50=%.1fms p99=%.1fms\n", s, v[int(NR*0.5)], v[int(NR*0.99)]}'
if [[ -n $ws ]]; then
  for n in $ws; do
    echo "websocket $n clients: $(/usr/bin/python3 "$here/../../tests/e2e/websocket_clients.py" --port "$port" \
      --clients "$n" --seconds 12 --interval 1)"
  done
  echo "after websocket: threads=$(threads) rss=$(rss)"
fi
