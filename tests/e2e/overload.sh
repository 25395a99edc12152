#!/usr/bin/env bash
# Overload: a syscall storm on every core while every syscall slower than
# 1 ns is also an event. kscope keeps answering /metrics and /api/v1/health
# promptly and survives; when its reader falls behind (stopped for 2 s
# while the storm goes on: a reader that keeps up loses nothing, and on an
# idle 2-core VM it does) the ring buffer fills, and what the kernel could
# not queue is counted in kscope_events_lost_total.
source "$(dirname "$0")/lib.sh"
require_root
trap 'kill $(jobs -p) 2>/dev/null || true; stop_kscope' EXIT

cfg=$(mktemp --suffix=.yaml)
printf 'probes:\n  syscalls:\n    slow_threshold: 1ns\n' >"$cfg"
start_kscope --config "$cfg"

storm=()
for _ in $(seq 1 "$(nproc)"); do
  "$KSCOPE_WORKLOAD_DIR/getppid_loop" 30000000 >/dev/null &
  storm+=($!)
  # nanosleep(0) goes through the scheduler: slow enough to be an event.
  "$KSCOPE_WORKLOAD_DIR/syscall_workload" ovl_storm 20000 0 &
  storm+=($!)
done

worst=0
for i in $(seq 1 10); do
  for path in /metrics /api/v1/health; do
    t=$(curl -fsS -o /dev/null -w '%{time_total}' --max-time 5 "$KSCOPE_URL$path") ||
      fail "GET $path failed during the storm"
    worst=$(python3 -c "print(max($worst, $t))")
  done
  sleep 0.5
done
python3 -c "import sys; sys.exit(0 if $worst < 2.0 else 1)" || fail "a request took ${worst}s during the storm"
kill -STOP "$KSCOPE_PID"
sleep 2
kill -CONT "$KSCOPE_PID"
kill "${storm[@]}" 2>/dev/null || true
wait "${storm[@]}" 2>/dev/null || true
wait_interval
kill -0 "$KSCOPE_PID" || fail "kscope run died"
lost=$(curl -fsS "$KSCOPE_URL/metrics" | awk '/^kscope_events_lost_total\{probe="syscalls"\}/ {print $2}')
[[ -n "$lost" ]] || fail "no kscope_events_lost_total for syscalls"
python3 -c "import sys; sys.exit(0 if float('$lost') > 0 else 1)" || fail "2 s of the storm with the reader stopped lost nothing: the ring buffer can't be that big"
curl -fsS "$KSCOPE_URL/api/v1/events?limit=5" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["published"] > 0, j' ||
  fail "no events published"
echo "ok: slowest request ${worst}s during the storm, ${lost} events lost and counted"
