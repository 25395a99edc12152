#!/usr/bin/env bash
# Per-context-switch cost of kscope's sched probe against libbpf-tools
# runqlat, and of kscope's off-CPU stacks against offcputime at the same
# minimum block time, on a same-CPU pipe ping-pong (every round trip is two
# voluntary switches).
#
#   sudo bench/offcpu/run.sh [build-dir] [rounds]
#
# Two numbers per tool: the ping-pong's ns per switch minus the bare run's
# (what the workload feels), and the tool's BPF run time per switch from
# kernel.bpf_stats_enabled (all of its programs, wakeups included, divided by
# its sched_switch program's runs; what the kernel spends).
set -euo pipefail

BUILD=${1:-build}
ROUNDS=${2:-200000}
KSCOPE=$BUILD/kscope
PINGPONG=$BUILD/workloads/pipe_pingpong
CPU=0
PORT=9599
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
for f in "$KSCOPE" "$PINGPONG" /usr/sbin/runqlat /usr/sbin/offcputime; do
  [[ -x $f ]] || { echo "missing $f" >&2; exit 1; }
done

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
tmp=$(mktemp -d)
tool_pid=
cleanup() {
  [[ -n $tool_pid ]] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null || true
  sysctl -qw kernel.bpf_stats_enabled="$old_stats"
  rm -rf "$tmp"
}
trap cleanup EXIT

# kscope with only the sched probe; $1: offcpu enabled, $2: min_block.
kscope_config() {
  "$KSCOPE" run --print-default-config |
    sed -e '/^  syscalls:/,/^  [a-z]*:$/ s/enabled: true/enabled: false/' \
        -e '/^  profile:/,/^  [a-z]*:$/ s/enabled: true/enabled: false/' \
        -e '/^  tcp:/,$ s/enabled: true/enabled: false/' \
        -e "/^  offcpu:/,/^  [a-z]*:$/ s/enabled: true/enabled: $1/" \
        -e "s/min_block: 1ms/min_block: $2/" >"$tmp/kscope.yaml"
}

# Median ns per switch of three ping-pong runs.
pingpong() {
  for _ in 1 2 3; do "$PINGPONG" "$ROUNDS" "$CPU"; done | sort -n | sed -n 2p
}

prog_ids() { bpftool -j prog show | jq -c '[.[].id]'; }

# BPF ns per switch of the scheduler programs loaded since the ids in $1
# (this bpftool cannot tell which process holds a program).
bpf_ns_per_switch() {
  bpftool -j prog show | jq --argjson before "$1" '
    [ .[] | select((.id as $id | $before | index($id) | not) and (.name | test("sched|switch|wakeup"))) ] as $p
    | ([ $p[] | .run_time_ns // 0 ] | add) as $t
    | ([ $p[] | select(.name | test("switch")) | .run_cnt // 0 ] | add) as $n
    | if $n > 0 then ($t / $n | floor) else "n/a" end'
}

# $1: label; the rest: the command that attaches and keeps running.
measure() {
  local label=$1
  shift
  local before
  before=$(prog_ids)
  "$@" >/dev/null 2>&1 &
  tool_pid=$!
  sleep 3  # attached by then (kscope loads in <1 s, libbpf-tools faster)
  local ns
  ns=$(pingpong)
  printf '%-48s %8.0f ns/switch  %+7.0f ns  bpf %s ns/switch\n' "$label" "$ns" \
    "$(echo "$ns - $BASE" | bc -l)" "$(bpf_ns_per_switch "$before")"
  kill -INT "$tool_pid"
  wait "$tool_pid" 2>/dev/null || true
  tool_pid=
}

echo "pipe ping-pong on cpu $CPU, $ROUNDS round trips x3 (median), $(nproc) cpus, $(uname -r)"
BASE=$(pingpong)
printf '%-48s %8.0f ns/switch\n' "no tracing" "$BASE"
measure "runqlat" /usr/sbin/runqlat 3600 1
kscope_config false 1ms
measure "kscope sched (no off-CPU)" "$KSCOPE" run -c "$tmp/kscope.yaml" --listen 127.0.0.1:$PORT
measure "offcputime -m 1000 (min block 1 ms)" /usr/sbin/offcputime -m 1000 3600
# `kscope run` keys off-CPU time by target and walks no stack; `kscope
# offcpu` records stacks, like offcputime.
kscope_config true 1ms
measure "kscope run sched + off-CPU time, min_block 1ms" "$KSCOPE" run -c "$tmp/kscope.yaml" --listen 127.0.0.1:$PORT
measure "kscope offcpu (stacks), --min-block 1ms" "$KSCOPE" offcpu -d 1h -q --min-block 1ms -o -
measure "offcputime -m 1 (min block 1 us)" /usr/sbin/offcputime -m 1 3600
kscope_config true 1us
measure "kscope run sched + off-CPU time, min_block 1us" "$KSCOPE" run -c "$tmp/kscope.yaml" --listen 127.0.0.1:$PORT
measure "kscope offcpu (stacks), --min-block 1us" "$KSCOPE" offcpu -d 1h -q --min-block 1us -o -
