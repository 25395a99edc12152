#!/usr/bin/env bash
# Per-request cost of kscope's block probe against libbpf-tools biolatency
# (the peer that times the same issue -> completion span), on direct 4 KiB
# writes to a loop device over a file in /dev/shm (a fast device, so the
# probe's share shows).
#
#   sudo bench/block/run.sh [build-dir] [requests]
#
# Two numbers per tool: the BPF run time per request from
# kernel.bpf_stats_enabled (all of the tool's programs, summed, divided by
# the requests /proc/diskstats completed: what the kernel spends), and dd's
# wall time per request minus the bare run's (what the workload feels;
# noisy on a shared VM, the first number is the one to compare).
set -euo pipefail

BUILD=${1:-build}
REQUESTS=${2:-40000}
KSCOPE=$BUILD/kscope
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
for f in "$KSCOPE" /usr/sbin/biolatency /usr/sbin/bitesize /usr/sbin/bpftool; do
  [[ -x $f ]] || { echo "missing $f" >&2; exit 1; }
done

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
tmp=$(mktemp -d)
img=/dev/shm/kscope-bench-block.img
truncate -s 256M "$img"
loop=$(losetup -f --show "$img")
dev=${loop#/dev/}
tool_pid=
tool_pids=()
cleanup() {
  [[ -n $tool_pid ]] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null || true
  for p in "${tool_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  losetup -d "$loop" || true
  rm -f "$img"
  sysctl -qw kernel.bpf_stats_enabled="$old_stats"
  rm -rf "$tmp"
}
trap cleanup EXIT

writes() { awk -v d="$dev" '$3 == d { print $8 }' /proc/diskstats; }

# Sum of run_time_ns over the loaded BPF programs whose name matches $1
# (Debian's bpftool shows no owning pids): kscope's are handle_block_rq_*,
# biolatency's block_rq_*; one tool runs at a time.
bpf_ns() {
  bpftool prog show -j | python3 -c '
import json, re, sys
pat = re.compile(sys.argv[1])
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if pat.match(p.get("name", ""))))' "$1"
}

# dd's ns per request and the BPF ns per request of the programs named
# like $2 (none: 0); $1: label.
measure() {
  local w0 w1 t0 t1 b0=0 b1=0
  [[ -n ${2:-} ]] && b0=$(bpf_ns "$2")
  w0=$(writes)
  t0=$(date +%s%N)
  dd if=/dev/zero of="$loop" bs=4k count="$REQUESTS" oflag=direct status=none
  t1=$(date +%s%N)
  w1=$(writes)
  [[ -n ${2:-} ]] && b1=$(bpf_ns "$2")
  local n=$((w1 - w0))
  printf '%-44s requests %7d  dd %6d ns/request  bpf %5d ns/request\n' "$1" "$n" \
    $(((t1 - t0) / REQUESTS)) $(((b1 - b0) / (n > 0 ? n : 1)))
}

cfg=$tmp/block-only.yaml
"$KSCOPE" run --print-default-config |
  awk '/^[a-z]/ { top = $1 } /^  [a-z_]+:$/ { section = $1 }
       top == "probes:" && section != "block:" && $0 == "    enabled: true" { print "    enabled: false"; next }
       { print }' >"$cfg"

# The peers: biolatency as it starts (issue -> completion, one histogram
# for every disk), and with the features kscope has on by default: per disk
# (-D) with queue time (-Q, insert -> issue), and beside bitesize (request
# sizes per process, the attribution kscope counts).
peer() {  # label, then the command(s) to start, ';'-separated
  local label=$1 cmd
  shift
  tool_pids=()
  for cmd in "$@"; do
    $cmd >"$tmp/peer.log" 2>&1 &
    tool_pids+=($!)
  done
  sleep 3
  measure "$label (round $round)" '^block_rq_'
  for p in "${tool_pids[@]}"; do kill -INT "$p"; wait "$p" || true; done
}

for round in 1 2 3; do
  tool_pid=
  measure "bare (round $round)"
  "$KSCOPE" run --config "$cfg" --listen 127.0.0.1:9598 --allow-second --lock-file "$tmp/lock" >"$tmp/kscope.log" 2>&1 &
  tool_pid=$!
  sleep 3
  measure "kscope block (round $round)" '^handle_block_rq'
  kill -INT "$tool_pid"; wait "$tool_pid" || true
  tool_pid=
  peer "biolatency" /usr/sbin/biolatency
  peer "biolatency -Q -D" "/usr/sbin/biolatency -Q -D"
  peer "biolatency -Q -D + bitesize" "/usr/sbin/biolatency -Q -D" /usr/sbin/bitesize
done
