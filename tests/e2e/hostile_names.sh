#!/usr/bin/env bash
# Processes that name themselves to break outputs: quotes, backslashes, a line
# feed, markup, braces and bytes that are not UTF-8. /metrics still passes
# promtool with each name escaped, the query API's JSON still parses, and
# the history counts each one's calls exactly.
source "$(dirname "$0")/lib.sh"
require_root
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
trap stop_kscope EXIT
start_kscope

# The names as bytes (printf %b), at most 15 bytes each (the kernel's comm).
names=('a"b\\c' 'x\ny' '<svg onload=1>' '{}' 'bad\xff\xfeutf8')
for n in "${names[@]}"; do
  "$KSCOPE_WORKLOAD_DIR/syscall_workload" "$(printf '%b' "$n")" 25 1000 &
done
wait_interval 0.5
wait $(jobs -p | grep -v "^$KSCOPE_PID$") 2>/dev/null || true
wait_interval
metrics=$(mktemp)
curl -fsS "$KSCOPE_URL/metrics" >"$metrics"
lint=$(promtool_check "$metrics") || fail "promtool check metrics rejected /metrics: $lint"

# Each name appears exactly as the Prometheus text format escapes it (\" \\ \n,
# invalid UTF-8 as U+FFFD), with the exact count of the workload's openat calls.
expect=('a\"b\\c' 'x\ny' '<svg onload=1>' '{}' $'bad\uFFFD\uFFFDutf8')
for e in "${expect[@]}"; do
  line=$(grep -F "kscope_syscall_errors_total{syscall=\"openat\",errno=\"ENOENT\",comm=\"$e\"} " "$metrics" || true)
  [[ "$line" == *" 25" ]] || fail "no openat count 25 for comm '$e' in /metrics: '$line'"
done
# No raw line feed or invalid byte leaked: every line is a sample, comment or empty.
python3 - "$metrics" <<'PY' || fail "/metrics has a broken line"
import re, sys
data = open(sys.argv[1], "rb").read()
data.decode("utf-8")  # raises on invalid UTF-8
for line in data.decode().split("\n"):
    assert line == "" or line.startswith("#") or re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$", line), line
PY

# The query API: valid JSON, the names decoded back (the line feed and the
# quote survive as themselves, the bad bytes as U+FFFD).
json=$(curl -fsS "$KSCOPE_URL/api/v1/query?name=kscope_syscall_errors_total&by=comm&start=-30s&step=1s")
python3 - "$json" <<'PY' || fail "query API JSON does not parse or lacks the names: $json"
import json, sys
body = json.loads(sys.argv[1])
comms = {s["labels"].get("comm") for s in body["series"]}
for want in ['a"b\\c', "x\ny", "<svg onload=1>", "{}", "bad\ufffd\ufffdutf8"]:
    assert want in comms, (want, comms)
PY
# And the history holds each one's exact count: 25 failed openat calls.
json=$(curl -fsS "$KSCOPE_URL/api/v1/query?name=kscope_syscall_errors_total%7Bsyscall%3D%22openat%22%7D&by=comm&aggregation=increase&start=-60s&step=60s")
python3 - "$json" <<'PY' || fail "the history's openat error counts are not 25 per hostile name: $json"
import json, sys
body = json.loads(sys.argv[1])
got = {s["labels"].get("comm"): sum(v for v in s["values"] if v is not None) for s in body["series"]}
for want in ['a"b\\c', "x\ny", "<svg onload=1>", "{}", "bad\ufffd\ufffdutf8"]:
    assert got.get(want) == 25, (want, got.get(want))
PY
echo "ok: promtool accepts /metrics, ${#names[@]} hostile names escaped, query JSON parses"
