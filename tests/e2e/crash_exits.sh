#!/usr/bin/env bash
# OOM kills and crashes end to end: `kscope trace exits` prints a line (and a
# JSON object) for a process that dies of SIGSEGV or SIGABRT, its name
# escaped, and none for one that exits 1; `kscope run` counts the crash in
# /metrics, lists it on /api/v1/events and reports the exits family healthy.
source "$(dirname "$0")/lib.sh"
require_root
crasher="$KSCOPE_WORKLOAD_DIR/crasher"
[[ -x "$crasher" ]] || fail "missing $crasher"
out=$(mktemp) err=$(mktemp)
cleanup() {
  stop_kscope
  rm -f "$out" "$err"
}
trap cleanup EXIT

name="kscrash$$"
hostile=$'ks\e[31m'"$$"
# Crashes while trace runs; the shell's own messages about them go to /dev/null.
( sleep 2
  "$crasher" "$name" segv || true
  "$crasher" "$hostile" abort || true
  "$crasher" "${name}ok" exit1 || true ) 2>/dev/null &
"$KSCOPE" trace exits --duration 5s >"$out" 2>"$err" || { cat "$err"; fail "kscope trace exits failed"; }
wait
cat "$out" "$err"
grep -Eq "^[0-9:.]+ signal_exit pid=[0-9]+ comm=$name signal=SIGSEGV( |$)" "$out" || fail "no SIGSEGV line for $name"
grep -Eq "signal_exit pid=[0-9]+ comm=ks\\\\x1b\[31m$$ signal=SIGABRT" "$out" || fail "no escaped SIGABRT line"
grep -q $'\e' "$out" && fail "a raw escape byte reached the terminal"
grep -q "comm=${name}ok" "$out" && fail "exit(1) was shown as a signal exit"
grep -Eq "^[0-9]+ events, 0 lost" "$err" || fail "the summary says events were lost"

( sleep 2; "$crasher" "$name" segv || true ) 2>/dev/null &
"$KSCOPE" trace exits --json --duration 4s >"$out" 2>"$err" || { cat "$err"; fail "kscope trace exits --json failed"; }
wait
python3 - "$out" "$name" <<'PY' || fail "no JSON signal_exit for $name"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [e for e in evs if e.get("comm") == sys.argv[2]]
assert len(mine) == 1, evs
e = mine[0]
assert e["type"] == "signal_exit" and e["probe"] == "exits", e
assert e["signal"] == "SIGSEGV" and e["signal_number"] == 11 and e["exit_code"] & 0x7f == 11, e
assert e["oom_victim"] is False and e["pid"] > 0 and e["cgroup"], e
PY

start_kscope
curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c '
import json, sys
h = json.load(sys.stdin)
text = json.dumps(h)
assert "exits" in text, h
' || fail "exits is not in /api/v1/health"
( "$crasher" "$name" segv ) 2>/dev/null || true
( "$crasher" "$name" segv ) 2>/dev/null || true
wait_interval 2.5
url_has "$KSCOPE_URL/metrics" "^kscope_process_signal_exits_total{.*comm=\"$name\".*} 2\$" ||
  url_has "$KSCOPE_URL/metrics" "^kscope_process_signal_exits_total{signal=\"SIGSEGV\",comm=\"$name\"} 2" ||
  { curl -fsS "$KSCOPE_URL/metrics" | grep -i exits; fail "/metrics does not count 2 SIGSEGV exits of $name"; }
url_has "$KSCOPE_URL/metrics" "^kscope_process_signal_exits_total{.*signal=\"SIGSEGV\"" ||
  fail "the signal label is missing"
curl -fsS "$KSCOPE_URL/api/v1/events" | python3 -c '
import json, sys
name = sys.argv[1]
body = json.load(sys.stdin)
evs = body["events"] if isinstance(body, dict) else body
mine = [e for e in evs if e.get("type") == "signal_exit" and e.get("comm") == name]
assert len(mine) == 2, evs
' "$name" || fail "/api/v1/events does not list the two crashes of $name"
echo "ok: trace exits lines and JSON, /metrics counter, /api/v1/events"
