#!/usr/bin/env bash
# Redis requests end to end: `kscope run` with probes.l7 enabled watches a
# real redis-server (its own port, so the bytes alone say Redis) driven by
# redis-benchmark with and without pipelining and by redis-cli with an
# error, and /metrics counts, per command and status, exactly what the
# server's own INFO commandstats counted over the same time: on the server
# side (kscope_db_server_operation_duration_seconds, comm redis-server) and
# on the client side (db_client_operation_duration_seconds to that port).
source "$(dirname "$0")/lib.sh"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)"  # db_metrics.py
require_root
command -v redis-server >/dev/null || fail "redis-server missing (scripts/packages.txt)"
command -v redis-benchmark >/dev/null || fail "redis-benchmark missing (scripts/packages.txt: redis-tools)"
work=$(mktemp -d)
redis_pid=""
cleanup() {
  [[ -n "$redis_pid" ]] && kill_and_reap "$redis_pid"
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --logfile "$work/redis.log" >/dev/null 2>&1 &
redis_pid=$!
cli() { redis-cli -p "$port" "$@"; }
deadline=$((SECONDS + 10))
until cli ping >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "redis-server did not start: $(cat "$work/redis.log")"
  sleep 0.05
done

# 16 pipelined SETs are ~720 bytes in one write: a capture of 1024 bytes
# sees them all (at the default 256 the commands past the cut are not
# parsed, and each cut batch is counted once as reason="truncated").
cat >"$work/kscope.yaml" <<YML
interval: 1s
probes:
  l7:
    enabled: true
    capture_bytes: 1024
YML
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# The server's truth starts here: every connection below opens after the
# probe attached, so kscope sees each one from its first byte.
cli config resetstat >/dev/null
redis-benchmark -p "$port" -n 400 -c 4 -t set,get -q >/dev/null
redis-benchmark -p "$port" -n 800 -c 2 -P 16 -t set,get -q >/dev/null
cli set e2e:str hello >/dev/null
cli lpush e2e:str x >/dev/null 2>&1 || true  # WRONGTYPE
cli info commandstats >"$work/commandstats.txt"

# Compares /metrics with commandstats for SET, GET and LPUSH.
check() {
  curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt" || return 1
  python3 - "$work/metrics.txt" "$work/commandstats.txt" "$port" <<'PY'
import collections, re, sys
import db_metrics
text = open(sys.argv[1], encoding="utf-8").read()
port = sys.argv[3]
truth = {}
for line in open(sys.argv[2]):
    m = re.match(r"cmdstat_(\w+):calls=(\d+),.*failed_calls=(\d+)", line.strip())
    if m:
        calls, failed = int(m.group(2)), int(m.group(3))
        truth[m.group(1).upper()] = (calls - failed, failed)
server, client = collections.Counter(), collections.Counter()
for side, kind, l, n in db_metrics.samples(text, "redis", port):
    if kind != "count" or (side == "server" and l.get("comm") != "redis-server"):
        continue
    key = (l.get("db_operation_name"), l.get("db_response_status_code", ""))
    (server if side == "server" else client)[key] += n
problems = []
for op, errors in (("SET", ""), ("GET", ""), ("LPUSH", "WRONGTYPE")):
    ok, failed = truth.get(op, (0, 0))
    want = {(op, ""): ok} if not errors else {(op, errors): failed}
    for side, got in (("server", server), ("client", client)):
        for key, n in want.items():
            if got[key] != n:
                problems.append(f"{side} {key}: kscope {got[key]}, redis {n}")
if truth.get("SET", (0, 0))[0] < 1200:
    problems.append(f"commandstats shows {truth.get('SET')} SETs, the load sent at least 1201")
db_metrics.exit_if(problems, text, "redis")
PY
}
settled 10 "redis requests in /metrics differ from INFO commandstats" check
grep -q '^kscope_l7_dropped_total{protocol="redis",reason=' "$work/metrics.txt" || fail "no redis drop series"
echo "ok: redis SET/GET/LPUSH(WRONGTYPE) counted as INFO commandstats counted them, both sides"
