#!/usr/bin/env bash
# Cost of request capture on a keep-alive HTTP load: nginx (one worker,
# pinned to CPU 0, `return 200`) and `ab -k` (pinned to CPU 1), with
# nothing attached, with an empty sys_enter program (the floor), and with
# the l7 probe, interleaved REPS times. BPF statistics are off in those
# (as in `kscope run` without a budget: they cost each program run two
# clock reads); a fourth run, l7+stats, turns them on for the BPF time.
#
#   sudo bench/l7/run.sh [build-dir] [requests] [reps] [http|https]
#
# https: nginx serves TLS with a self-signed certificate (the openssl CLI)
# and ab speaks TLS; both use the system's libssl, so the l7 probe's TLS
# uprobes (SSL_read/SSL_write, entry and return) run on both sides.
#
# Per request: nginx's worker CPU (utime+stime from /proc, clock ticks), and
# for l7 the BPF run time of its programs (run_time_ns with the stats on)
# over every syscall on the host, ab's included: both sides of a request.
set -euo pipefail

BUILD=${1:-build}
N=${2:-100000}
REPS=${3:-3}
SCHEME=${4:-http}
[[ $SCHEME == http || $SCHEME == https ]] || { echo "scheme: http or https" >&2; exit 1; }
BENCH=$BUILD/bench/l7_capture_bench
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
for f in "$BENCH" /usr/sbin/nginx /usr/bin/ab; do
  [[ -x $f ]] || { echo "missing $f" >&2; exit 1; }
done

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
listen="127.0.0.1:$port"
if [[ $SCHEME == https ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key.pem" \
    -out "$tmp/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null
  listen="$listen ssl; ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem"
fi
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 0001;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/body; proxy_temp_path $tmp/proxy; fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
  server { listen $listen; location / { return 200 "hello\n"; } }
}
CONF
taskset -c 0 /usr/sbin/nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
nginx_pid=$!
bench_pid=
cleanup() {
  [[ -n $bench_pid ]] && kill "$bench_pid" 2>/dev/null || true
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
url="$SCHEME://127.0.0.1:$port/"
for _ in $(seq 100); do curl -skf "$url" >/dev/null && break; sleep 0.05; done
worker=$(pgrep -P "$nginx_pid" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }
hz=$(getconf CLK_TCK)

# $1: mode. Prints "mode cpu_us_per_request bpf_ns_per_request records".
measure() {
  local mode=$1
  # exec: the coproc's pid is the bench's own, so the TERM below reaches it.
  coproc BENCHP { exec taskset -c 1 "$BENCH" "$mode" 600; }
  bench_pid=$BENCHP_PID
  read -r ready <&"${BENCHP[0]}"
  [[ $ready == ready ]] || { echo "bench did not attach ($mode)" >&2; exit 1; }
  local t0 t1
  t0=$(ticks)
  taskset -c 1 ab -q -k -c 4 -n "$N" "$url" >"$tmp/ab.txt"
  t1=$(ticks)
  grep -q "^Failed requests: *0" "$tmp/ab.txt" || { echo "ab saw failures" >&2; exit 1; }
  kill -TERM "$bench_pid"
  local line
  read -r line <&"${BENCHP[0]}"
  wait "$bench_pid" 2>/dev/null || true
  bench_pid=
  local run_ns records
  run_ns=$(sed -n 's/.*bpf_run_ns=\([0-9]*\).*/\1/p' <<<"$line")
  records=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' <<<"$line")
  echo "$mode $(bc -l <<<"($t1 - $t0) * 1000000 / $hz / $N" | xargs printf '%.2f') \
$(bc <<<"$run_ns / $N") $records $(sed -n 's/.*dropped=\([0-9]*\).*/\1/p' <<<"$line")"
}

echo "mode nginx_cpu_us_per_request bpf_ns_per_request records dropped"
for _ in $(seq "$REPS"); do
  for mode in none floor l7 l7+stats; do measure "$mode"; done
done
