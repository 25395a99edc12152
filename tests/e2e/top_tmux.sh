#!/usr/bin/env bash
# `kscope top` interactive in a real 80x24 terminal (tmux): the first frame
# lists the workload, pressing 2 sorts by p99 latency (the header says so and
# the rows follow), 2 again inverts, q quits and restores the terminal.
source "$(dirname "$0")/lib.sh"
require_root
command -v tmux >/dev/null || skip "tmux missing (apt-get install tmux)"
workload="$KSCOPE_WORKLOAD_DIR/syscall_workload"
[[ -x "$workload" ]] || fail "missing $workload"
sock="kscope-top-$$"
pids=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  stop_kscope
}
trap cleanup EXIT
start_kscope
"$workload" kstop-tmux 20000 1000 &
pids="$!"
sleep 3

tmux -L "$sock" new-session -d -x 80 -y 24 "$KSCOPE top --url $KSCOPE_URL --interval 1s"
screen() { tmux -L "$sock" capture-pane -p; }
wait_for() {
  for _ in $(seq 1 50); do
    screen | grep -q -- "$1" && return 0
    sleep 0.2
  done
  screen
  fail "screen never showed '$1'"
}
wait_for '^kstop-tmux '
wait_for 'sort: syscalls per second'
tmux -L "$sock" send-keys 2
wait_for 'sort: p99 syscall latency   keys'
screen
# Rows are in descending p99 order (column 3 of the table, after the name).
screen | python3 -c '
import sys
units = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}
vals = []
for line in sys.stdin.read().splitlines()[3:]:
    f = line.split()
    if len(f) < 3 or f[2] in ("-", "n/a"): continue
    v = f[2]
    if v == "0":
        vals.append(0.0)
        continue
    u = next(u for u in ("ns", "us", "ms", "s") if v.endswith(u))
    vals.append(float(v[:-len(u)]) * units[u])
assert vals == sorted(vals, reverse=True), vals
' || fail "rows are not sorted by p99"
tmux -L "$sock" send-keys 2
wait_for 'sort: p99 syscall latency (ascending)'
tmux -L "$sock" send-keys q
for _ in $(seq 1 25); do
  tmux -L "$sock" has-session 2>/dev/null || break
  sleep 0.2
done
if tmux -L "$sock" has-session 2>/dev/null; then fail "q did not quit"; fi
echo "PASS"
