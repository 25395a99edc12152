#!/usr/bin/env bash
# `kscope profile`, `kscope offcpu`, `kscope diff` and the profile endpoints
# of `kscope run`, end to end on real workloads.
source "$(dirname "$0")/lib.sh"
require_root
tmp=$(mktemp -d)
burner_pid=""
cleanup() {
  [[ -n "$burner_pid" ]] && kill "$burner_pid" 2>/dev/null
  stop_kscope
  rm -rf "$tmp"
}
trap cleanup EXIT

"$KSCOPE_WORKLOAD_DIR/cpu_burner" 60 &
burner_pid=$!

# On-CPU: the busy function is the hottest leaf, in every format.
"$KSCOPE" profile -q --duration 3 --pid "$burner_pid" -o "$tmp/cpu.folded"
top=$(sort -t' ' -k2 -n -r "$tmp/cpu.folded" | head -1)
[[ "$top" == cpu_burner\;*burn_cpu_in_named_function\ * ]] || fail "hottest stack is not the busy function: $top"
total=$(awk '{n+=$NF} END {print n}' "$tmp/cpu.folded")
hot=$(awk '{print $NF}' <<<"$top")
(( hot * 10 >= total * 8 )) || fail "busy function has $hot of $total samples"

"$KSCOPE" profile -q --duration 2 --pid "$burner_pid" -o "$tmp/cpu.svg"
python3 - "$tmp/cpu.svg" <<'PY' || fail "SVG does not parse or lacks the function"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
assert any("burn_cpu_in_named_function" in t for t in titles), titles[:5]
PY

if command -v go >/dev/null; then
  "$KSCOPE" profile -q --duration 2 --pid "$burner_pid" -o "$tmp/cpu.pb.gz"
  go tool pprof -top "$tmp/cpu.pb.gz" 2>/dev/null | grep -q burn_cpu_in_named_function ||
    fail "go tool pprof does not show the busy function"
fi

# Ctrl-C ends early and still writes the file.
"$KSCOPE" profile -q --duration 60 --pid "$burner_pid" -o "$tmp/early.folded" &
rec=$!
sleep 2
kill -INT "$rec"
wait "$rec" || fail "interrupted profile exited non-zero"
grep -q burn_cpu_in_named_function "$tmp/early.folded" || fail "interrupted profile wrote nothing useful"

# Off-CPU: a sleeper's 10 x 200 ms shows up under its own function.
mkfifo "$tmp/go"
"$KSCOPE_WORKLOAD_DIR/offcpu_sleeper" <"$tmp/go" >/dev/null &
sleeper=$!
exec 7>"$tmp/go"
"$KSCOPE" offcpu -q --duration 3 --pid "$sleeper" --min-block 1ms -o "$tmp/off.folded" &
rec=$!
sleep 0.5
echo x >&7
wait "$rec"
exec 7>&-
wait "$sleeper" 2>/dev/null || true
line=$(grep sleeper_loop "$tmp/off.folded" | grep hrtimer_nanosleep_\\[k\\] | head -1)
[[ -n "$line" ]] || fail "no off-CPU stack through sleeper_loop and the nanosleep kernel path: $(cat "$tmp/off.folded")"
ns=$(awk '{print $NF}' <<<"$line")
(( ns >= 1800000000 && ns <= 2200000000 )) || fail "off-CPU time $ns ns, want 2 s +-10%"

# A process asleep the whole recording (it blocked before kscope started)
# is blocked for the whole duration: the block still in progress counts.
"$KSCOPE_WORKLOAD_DIR/offcpu_sleeper" < <(sleep 30) >/dev/null &
asleep=$!
sleep 0.3
"$KSCOPE" offcpu -q --duration 3 --pid "$asleep" -o "$tmp/asleep.folded"
kill "$asleep" 2>/dev/null || true
wait "$asleep" 2>/dev/null || true
total=$(awk '{s += $NF} END {printf "%.0f", s}' "$tmp/asleep.folded")
(( total >= 2900000000 && total <= 3300000000 )) ||
  fail "a process asleep for the whole 3 s recording shows $total ns blocked: $(cat "$tmp/asleep.folded")"

# Diff of a profile against itself: nothing grew or shrank.
"$KSCOPE" diff "$tmp/cpu.folded" "$tmp/cpu.folded" -o "$tmp/self.folded"
awk '$(NF-1) != $NF {bad=1} END {exit bad}' "$tmp/self.folded" || fail "self-diff is not neutral"
"$KSCOPE" diff "$tmp/cpu.folded" "$tmp/early.folded" -o "$tmp/diff.svg"
python3 -c 'import sys,xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tmp/diff.svg" || fail "diff SVG does not parse"

# The agent serves the same on demand.
start_kscope
code=$(curl -s -o "$tmp/api.svg" -w '%{http_code}' "$KSCOPE_URL/api/v1/profile?type=cpu&seconds=2&format=svg&pid=$burner_pid")
[[ "$code" == 200 ]] || fail "/api/v1/profile answered $code: $(head -c 300 "$tmp/api.svg")"
grep -q burn_cpu_in_named_function "$tmp/api.svg" || fail "API flame graph lacks the busy function"
code=$(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL/api/v1/profile?type=bogus")
[[ "$code" == 400 ]] || fail "bad type answered $code, want 400"
curl -fsS -o "$tmp/debug.pb.gz" "$KSCOPE_URL/debug/pprof/profile?seconds=1"
gzip -t "$tmp/debug.pb.gz" || fail "/debug/pprof/profile is not gzip"
if command -v go >/dev/null; then
  go tool pprof -top "$tmp/debug.pb.gz" >/dev/null 2>&1 || fail "go tool pprof cannot read /debug/pprof/profile"
fi
echo "ok: hottest '$hot'/$total samples, off-CPU $ns ns"
