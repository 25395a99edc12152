#!/usr/bin/env bash
# Open-loop latency of the API and /metrics (open_loop_bench.cpp beside this
# script) against one `kscope run` under bench/standard_load.sh.
#
#   sudo bench/http_server/open_loop.sh KSCOPE OPEN_LOOP_BENCH [SECONDS] [RATES]
#
# KSCOPE runs with interval 1s and max_series 2500 (so /metrics can reach
# ~10,000 series), --allow-second, on a free port. After the standard load
# has run 20 s, short-lived processes under 2,400 names (tests/workloads
# churn, from KSCOPE's build folder or $KSCOPE_WORKLOADS) give /metrics its
# series (they age out after series_ttl, 5 min). Then, for each rate in
# RATES (default "1000 2000 5000" req/s, 1,000 keep-alive connections):
# /api/v1/health and /api/v1/signals for SECONDS (default 20) each, after 2 s
# of warm-up; then /metrics at 10 scrapes/s (10 connections, one scrape a
# second each). Every line is printed with the 1-minute load average before
# and after it and kscope's CPU time during it; kscope's CPU for 10 s without
# requests is printed first, so CPU per request = (CPU - idle share) / requests.
# NICE=-10 in the environment runs kscope and the generator at that nice
# value (the standard load and everything else at theirs): on a shared
# host, what the server does when it gets the CPU it asks for.
set -euo pipefail
kscope=${1:?usage: open_loop.sh KSCOPE OPEN_LOOP_BENCH [SECONDS] [RATES]}
bench=${2:?usage: open_loop.sh KSCOPE OPEN_LOOP_BENCH [SECONDS] [RATES]}
seconds=${3:-20}
rates=${4:-1000 2000 5000}
here=$(cd "$(dirname "$0")" && pwd)
workloads=${KSCOPE_WORKLOADS:-$(dirname "$kscope")/workloads}
ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
printf 'interval: 1s\nmax_series: 2500\n' >"$tmp/kscope.yaml"
nice=${NICE:-0}
nice -n "$nice" "$kscope" run --config "$tmp/kscope.yaml" --listen "127.0.0.1:$port" --allow-second --log-level warn \
  >"$tmp/log" 2>&1 &
pid=$!
"$here/../standard_load.sh" $((seconds * 8 * $(wc -w <<<"$rates") + 120)) >/dev/null 2>&1 &
load=$!
trap 'kill -INT $pid 2>/dev/null; kill $load 2>/dev/null; wait $pid $load 2>/dev/null || true; rm -rf "$tmp"' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fsS "$url/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 20
"$workloads/churn" 5000 0 2400 olb >/dev/null
sleep 3
la() { cut -d' ' -f1 /proc/loadavg; }
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
echo "kscope $kscope (nice $nice), $(curl -fsS "$url/metrics" | grep -vc '^#') /metrics series, $(nproc) CPUs"
# kscope's own CPU without requests (collection, history), to subtract.
c0=$(cpu)
sleep 10
echo "load $(la), kscope CPU idle: $(( ($(cpu) - c0) * 10 )) ms in 10 s"
run() {
  local before c0 out
  before=$(la)
  c0=$(cpu)
  out=$(nice -n "$nice" "$bench" "127.0.0.1:$port" "$@" || true)
  echo "load $before-$(la), kscope CPU $(( ($(cpu) - c0) * 10 )) ms: $out"
}
for rate in $rates; do
  run /api/v1/health --connections 1000 --rate "$rate" --seconds "$seconds"
  run /api/v1/signals --connections 1000 --rate "$rate" --seconds "$seconds"
done
echo "/metrics now $(curl -fsS "$url/metrics" | grep -vc '^#') series"
run /metrics --connections 10 --rate 10 --seconds "$seconds" --timeout 10
