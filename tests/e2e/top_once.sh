#!/usr/bin/env bash
# `kscope top --once` against a real `kscope run`: a workload named by us
# (one plain name, one with terminal escape bytes) shows up with a non-zero
# syscall rate, every line fits 80 columns, and no raw control byte reaches
# the terminal. Then the same over --json, sorted by p99 latency.
source "$(dirname "$0")/lib.sh"
require_root
workload="$KSCOPE_WORKLOAD_DIR/syscall_workload"
[[ -x "$workload" ]] || fail "missing $workload"
pids=""
cleanup() {
  kill_and_reap $pids
  stop_kscope
}
trap cleanup EXIT
start_kscope

# ~1000 nanosleep(1ms) calls a second for ~20 s each.
"$workload" kstop-wl 20000 1000 &
pids="$!"
"$workload" $'\e[31mred\a' 20000 1000 &
pids="$pids $!"

# The API already replaced the control bytes with U+FFFD; top shows those
# bytes as \xNN like every other non-ASCII byte.
hostile_row='^\\xef\\xbf\\xbd\[31mred'
out=""
for _ in $(seq 1 30); do
  # A tall frame: on a busy host the workload may rank below the 20th row;
  # and a wide one: at 80 columns the name column (17 with seven value
  # columns) cuts the escaped hostile name before the part matched here.
  out=$("$KSCOPE" top --once --url "$KSCOPE_URL" --interval 2s --height 200 --width 120)
  grep -q '^kstop-wl ' <<<"$out" && grep -q "$hostile_row" <<<"$out" && break
  sleep 1
done
echo "$out"
line=$(grep '^kstop-wl ' <<<"$out") || fail "kstop-wl not in kscope top"
grep -q "$hostile_row" <<<"$out" || fail "the hostile name is not shown escaped"
rate=$(awk '{print $3}' <<<"$line")  # COMM CPU SYSC/s ...
python3 - "$rate" <<'PY' || fail "syscall rate of kstop-wl is '$rate', expected several hundred per second"
import sys
v = sys.argv[1]
mult = {"k": 1e3, "M": 1e6}.get(v[-1], 1)
n = float(v.rstrip("kM")) * mult
sys.exit(0 if 200 <= n <= 5000 else 1)
PY
frame=$(mktemp)
"$KSCOPE" top --once --url "$KSCOPE_URL" --interval 2s >"$frame"
cat "$frame"
python3 - "$frame" <<'PY' || fail "a line is wider than 80 columns or holds a control byte"
import sys
lines = open(sys.argv[1], "rb").read().decode("ascii").splitlines()
assert len(lines) <= 24, len(lines)
for l in lines:
    assert len(l) <= 80, l
    assert all(0x20 <= ord(c) < 0x7f for c in l), repr(l)
PY
rm -f "$frame"

# --json: the same rows, machine-readable; --sort l orders by p99 latency.
"$KSCOPE" top --json --url "$KSCOPE_URL" --sort l | python3 -c '
import json, sys
j = json.load(sys.stdin)
rows = {r["target"]: r for r in j["rows"]}
r = rows["kstop-wl"]
assert r["syscalls_per_second"] > 100, r
# nanosleep(1 ms) is an idle wait: it stays out of the latency column.
p = r["syscall_latency_p99_seconds"]
assert p is None or p < 0.001, r
p99 = [r["syscall_latency_p99_seconds"] for r in j["rows"] if r["syscall_latency_p99_seconds"] is not None]
assert p99 == sorted(p99, reverse=True), p99
assert "\ufffd[31mred\ufffd" in rows, list(rows)
print("json ok:", len(j["rows"]), "rows")
' || fail "kscope top --json"

# A wrong URL is one clear error, not a crash.
err=$(mktemp)
if "$KSCOPE" top --once --url http://127.0.0.1:1 2>"$err"; then fail "top succeeded against a closed port"; fi
grep -q "cannot connect" "$err" || { cat "$err"; fail "no connect error"; }
rm -f "$err"
echo "PASS"
