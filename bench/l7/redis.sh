#!/usr/bin/env bash
# Cost of request capture per Redis command: redis-server (pinned to CPU 0)
# under redis-benchmark (pinned to CPU 1, keep-alive, SET and GET), without
# and with pipelining (-P 16), with nothing attached, with an empty
# sys_enter program (the floor), with the l7 probe alone (its records read,
# no engine; bench/l7/l7_capture_bench) and with `kscope run` and request
# capture on (everything: the engines, the other default probes). After the
# `run` mode the commands kscope counted on the server side are compared
# with what redis-benchmark sent.
#
#   bench/l7/redis.sh [build-dir] [requests] [reps]
#
# Per command: redis-server's CPU (utime+stime from /proc, clock ticks).
set -euo pipefail

BUILD=${1:-build}
N=${2:-100000}
REPS=${3:-3}
BENCH=$BUILD/bench/l7_capture_bench
KSCOPE=$BUILD/kscope
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
for f in "$BENCH" "$KSCOPE" /usr/bin/redis-server /usr/bin/redis-benchmark; do
  [[ -x $f ]] || { echo "missing $f" >&2; exit 1; }
done

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
api=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
redis_pid=$!
helper_pid=
cleanup() {
  [[ -n $helper_pid ]] && kill "$helper_pid" 2>/dev/null || true
  kill "$redis_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
ticks() { awk '{print $14 + $15}' "/proc/$redis_pid/stat"; }
hz=$(getconf CLK_TCK)

# Holds `mode` attached in the background (helper_pid) until detach.
attach() {
  case $1 in
    none) ;;
    floor | l7)
      coproc HELPER { exec taskset -c 1 "$BENCH" "$1" 600; }
      helper_pid=$HELPER_PID
      read -r ready <&"${HELPER[0]}"
      [[ $ready == ready ]] || { echo "bench did not attach ($1)" >&2; exit 1; }
      ;;
    run)
      printf 'http:\n  listen: 127.0.0.1:%s\ninterval: 1s\nprobes:\n  l7:\n    enabled: true\n' "$api" >"$tmp/kscope.yaml"
      taskset -c 1 "$KSCOPE" run --config "$tmp/kscope.yaml" >"$tmp/kscope.log" 2>&1 &
      helper_pid=$!
      for _ in $(seq 300); do
        curl -fsS "http://127.0.0.1:$api/metrics" 2>/dev/null | grep -q '^kscope_probe_up{probe="l7"} 1' && return
        sleep 0.1
      done
      echo "kscope run did not come up" >&2; tail -5 "$tmp/kscope.log" >&2; exit 1
      ;;
  esac
}
detach() {
  [[ -z $helper_pid ]] && return
  kill -TERM "$helper_pid" 2>/dev/null || true
  wait "$helper_pid" 2>/dev/null || true
  helper_pid=
}
# The server-side commands kscope counted, by operation (SET, GET).
counted() {
  curl -fsS "http://127.0.0.1:$api/metrics" | awk -v op="$1" -v port="$port" '
    /^kscope_db_server_operation_duration_seconds_count/ && index($0, "db_operation_name=\"" op "\"") &&
    index($0, "comm=\"redis-server\"") { s += $2 } END { print s + 0 }'
}

echo "mode pipeline redis_cpu_us_per_command counted_set counted_get"
for _ in $(seq "$REPS"); do
  for pipeline in 1 16; do
    for mode in none floor l7 run; do
      attach "$mode"
      set0=0 get0=0
      if [[ $mode == run ]]; then set0=$(counted SET); get0=$(counted GET); fi
      t0=$(ticks)
      taskset -c 1 redis-benchmark -p "$port" -n "$N" -c 4 -P "$pipeline" -t set,get -q >/dev/null
      t1=$(ticks)
      set_n=- get_n=-
      if [[ $mode == run ]]; then
        # Counted once the collector has read the last records.
        for _ in $(seq 50); do
          set_n=$(($(counted SET) - set0)) get_n=$(($(counted GET) - get0))
          ((set_n >= N && get_n >= N)) && break
          sleep 0.2
        done
      fi
      detach
      echo "$mode $pipeline $(bc -l <<<"($t1 - $t0) * 1000000 / $hz / (2 * $N)" | xargs printf '%.3f') $set_n $get_n"
    done
  done
done
