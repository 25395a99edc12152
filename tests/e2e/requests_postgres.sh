#!/usr/bin/env bash
# PostgreSQL requests end to end: `kscope run` with probes.l7 enabled
# watches a private PostgreSQL cluster (started here, on a free port over
# TCP) driven by pgbench in the simple, extended and prepared protocols,
# by psql with pg_sleep and with a syntax error. /metrics must count, per
# operation and table, exactly what pg_stat_statements counted over the
# same time, on the server side (kscope_db_server_operation_duration_seconds
# for the cluster's port, comm postgres) and on the client side
# (db_client_operation_duration_seconds to that port); the pg_sleep(0.05)
# SELECTs must fall in the right latency bucket and the error must carry
# its SQLSTATE.
source "$(dirname "$0")/lib.sh"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)"  # db_metrics.py
require_root
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n "$pgbin" && -x "$pgbin/initdb" && -x "$pgbin/pgbench" ]] || fail "postgresql missing (scripts/packages.txt)"
[[ -f "$("$pgbin/pg_config" --pkglibdir)/pg_stat_statements.so" ]] ||
  fail "pg_stat_statements missing (scripts/packages.txt: postgresql ships it)"
id postgres >/dev/null 2>&1 || fail "no postgres user (scripts/packages.txt: postgresql creates it)"

work=$(mktemp -d)
chown postgres: "$work"
data="$work/data"
pg_started=""
cleanup() {
  if [[ -n "$pg_started" ]]; then
    # Immediate: nothing of this cluster needs to survive. When pg_ctl
    # cannot stop it in time, the postmaster (its children follow) is killed.
    if ! runuser -u postgres -- "$pgbin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1; then
      [[ -f "$data/postmaster.pid" ]] && kill -9 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true
    fi
  fi
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
runuser -u postgres -- "$pgbin/initdb" -D "$data" -U postgres -A trust --no-sync >"$work/initdb.log" 2>&1 ||
  fail "initdb failed: $(cat "$work/initdb.log")"
pg_started=1
runuser -u postgres -- "$pgbin/pg_ctl" -D "$data" -l "$work/pg.log" -w -t 20 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c shared_preload_libraries=pg_stat_statements -c fsync=off" \
  start >/dev/null || fail "postgres did not start: $(cat "$work/pg.log")"
# Every client connects over TCP, so kscope sees the client side with the
# server's port (a Unix socket has none).
sql() { "$pgbin/psql" -X -q -A -t -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
sql -c 'create extension pg_stat_statements' >/dev/null

# The default capture (256 bytes) holds each of pgbench's messages whole;
# only pgbench -i's COPY data is cut (its batches are counted as
# truncated, and COPY is not compared).
cat >"$work/kscope.yaml" <<YML
interval: 1s
probes:
  l7:
    enabled: true
YML
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# The server's truth starts here: every connection below opens after the
# probe attached, so kscope sees each one from its first byte.
sql -c 'select pg_stat_statements_reset()' >/dev/null
pgb() { "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres "$@" postgres >>"$work/pgbench.log" 2>&1 ||
  fail "pgbench $* failed: $(cat "$work/pgbench.log")"; }
txns=100
# pg_stat_statements' calls, per phase (read, then reset).
statements() {
  sql -F $'\t' -c "select regexp_replace(query, '\\s+', ' ', 'g'), calls from pg_stat_statements" >"$work/statements.$1"
  sql -c 'select pg_stat_statements_reset()' >/dev/null
}
pgb -i -q
statements init
for mode in simple extended prepared; do
  pgb -t "$txns" -c 2 -M "$mode"
  statements "$mode"
done

# Per (operation, table) of pgbench's statements and BEGIN/END/COMMIT:
# pg_stat_statements' calls (the first word of each statement, and the
# pgbench table a DML statement names), both sides' counts in /metrics.
check() {
  curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt" || return 1
  python3 - "$work/metrics.txt" "$work/statements" "$port" "$txns" <<'PY'
import collections, re, sys
import db_metrics
text = open(sys.argv[1], encoding="utf-8").read()
port, txns = sys.argv[3], int(sys.argv[4])
truth = collections.Counter()
for phase in ("init", "simple", "extended", "prepared"):
    calls = collections.Counter()
    for line in open(f"{sys.argv[2]}.{phase}", encoding="utf-8"):
        query, _, n = line.rstrip("\n").rpartition("\t")
        word = query.split(None, 1)[0].upper() if query.strip() else ""
        if word in ("BEGIN", "END", "COMMIT"):
            calls[(word, "")] += int(n)
            continue
        m = re.match(r"(?is)^(select|update|insert|delete)\b(?:.*?\b(?:from|into))?\s+(pgbench_\w+)\b", query)
        if m and word == m.group(1).upper():
            calls[(word, m.group(2).lower())] += int(n)
    if phase == "prepared":
        # PostgreSQL 15's pg_stat_statements counts a prepared utility
        # statement once, when it is prepared, not at each execution:
        # pgbench's own count is the truth for BEGIN and END here (kscope
        # counts the preparation as PREPARE).
        calls[("BEGIN", "")] = calls[("END", "")] = 2 * txns
    truth += calls
sides = {"server": collections.Counter(), "client": collections.Counter()}
for side, kind, l, n in db_metrics.samples(text, "postgresql", port):
    if kind != "count" or l.get("db_response_status_code", ""):
        continue
    if side == "server" and l.get("comm") != "postgres":
        continue
    sides[side][(l.get("db_operation_name", ""), l.get("db_collection_name", ""))] += n
problems = []
# 3 runs of 2 clients: each transaction is BEGIN, 3 UPDATEs, a SELECT, an
# INSERT and END; pg_stat_statements must have seen them all.
for key in (("UPDATE", "pgbench_accounts"), ("UPDATE", "pgbench_tellers"), ("UPDATE", "pgbench_branches"),
            ("SELECT", "pgbench_accounts"), ("INSERT", "pgbench_history"), ("END", "")):
    if truth[key] != 3 * 2 * txns:
        problems.append(f"pg_stat_statements shows {truth[key]} calls of {key}, pgbench ran {6 * txns}")
for key, n in sorted(truth.items()):
    for name, got in sides.items():
        if got[key] != n:
            problems.append(f"{name} {key}: kscope {got[key]}, pg_stat_statements {n}")
db_metrics.exit_if(problems, text, "postgresql")
PY
}
settled 15 "postgresql requests in /metrics differ from pg_stat_statements" check

# The series of one operation (no table) for this port, both sides, as
# JSON: {"server": {"count": n, "le": {"0.05": n, ...}}, "client": ...}.
series() {
  curl -fsS "$KSCOPE_URL/metrics" | python3 -c '
import json, sys
import db_metrics
port, op, status = sys.argv[1:4]
out = {"server": {"count": 0, "le": {}}, "client": {"count": 0, "le": {}}}
for side, kind, l, n in db_metrics.samples(sys.stdin.read(), "postgresql", port):
    if (l.get("db_operation_name"), l.get("db_collection_name", ""), l.get("db_response_status_code", "")) != (op, "", status):
        continue
    if kind == "count":
        out[side]["count"] += n
    else:
        out[side]["le"][l["le"]] = out[side]["le"].get(l["le"], 0) + n
print(json.dumps(out))' "$port" "$@"
}

# K pg_sleep(0.05) SELECTs, each its own psql connection, and one syntax
# error. Their counts are the growth of the SELECT series without a table
# (pgbench's own catalog query is one too, counted above).
k=20
before=$(series SELECT "")
errors_before=$(series _OTHER 42601)
t0=$(date +%s.%N)
for _ in $(seq 1 "$k"); do sql -c 'select pg_sleep(0.05)' >/dev/null; done
if sql -c 'selec 1' >"$work/error.txt" 2>&1; then fail "psql accepted 'selec 1'"; fi
grep -q 'syntax error' "$work/error.txt" || fail "psql said, for 'selec 1': $(cat "$work/error.txt")"

# Prints why the growth is not yet K SELECTs and 1 error on both sides.
growth() {
  python3 - "$before" "$(series SELECT "")" "$errors_before" "$(series _OTHER 42601)" "$k" <<'PY'
import json, sys
before, after, ebefore, eafter = (json.loads(a) for a in sys.argv[1:5])
k = int(sys.argv[5])
problems = []
for side in ("server", "client"):
    n = after[side]["count"] - before[side]["count"]
    if n != k:
        problems.append(f"{side}: {n} SELECTs without a table, psql ran {k} pg_sleep(0.05)")
    e = eafter[side]["count"] - ebefore[side]["count"]
    if e != 1:
        problems.append(f'{side}: {e} operations with db_response_status_code="42601", psql sent one "selec 1"')
if problems:
    print("\n".join(problems))
    sys.exit(1)
PY
}
settled 15 "pg_sleep SELECTs and the syntax error" growth
after=$(series SELECT "")

# Latency. No pg_sleep(0.05) can take less than 50 ms: none is at or below
# the bound 0.05 of /metrics, and the median is in the bucket above it
# ((0.05, 0.1] with the database families' bounds). /api/v1/query reads
# kscope's own histogram (4 buckets per power of two, bounds at 41.9, 50.3
# and 58.7 ms): its p50 is within [41.9, 58.7] ms, and the mean (from the
# exact sum) at least 50 ms and, on the server side, within 10% of it.
python3 - "$before" "$after" "$k" <<'PY' || fail "pg_sleep(0.05) latency buckets in /metrics are wrong"
import json, sys
before, after, k = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
ok = True
for side in ("server", "client"):
    delta = {float(le): n - before[side]["le"].get(le, 0) for le, n in after[side]["le"].items()}
    above = min(le for le in delta if le > 0.05)
    print(f"{side}: {delta.get(0.05)} of {k} at le=0.05, {delta[above]} at le={above}")
    ok &= delta.get(0.05) == 0 and 2 * delta[above] >= k
sys.exit(0 if ok else 1)
PY
# The window of the query is (t0, now]: one step that holds the pg_sleep
# SELECTs and none of the earlier ones (in /metrics over a second before t0).
now=$(date +%s.%N)
step=$(python3 -c 'import sys; print(float(sys.argv[1]) - float(sys.argv[2]))' "$now" "$t0")
for metric in db_client_operation_duration_seconds kscope_db_server_operation_duration_seconds; do
  for agg in increase p50 avg; do
    curl -fsS --get "$KSCOPE_URL/api/v1/query" --data-urlencode "aggregation=$agg" \
      --data-urlencode "name=$metric{db_system_name=\"postgresql\",server_port=\"$port\",db_operation_name=\"SELECT\",db_collection_name=\"\",db_response_status_code=\"\"}" \
      --data-urlencode "start=$now" --data-urlencode "end=$now" \
      --data-urlencode "step=$step" ||
      fail "/api/v1/query $metric $agg"
    echo
  done
done >"$work/query.txt"
python3 - "$work/query.txt" "$k" <<'PY' || fail "pg_sleep(0.05) latency from /api/v1/query is wrong"
import json, sys
k = int(sys.argv[2])
got = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    j = json.loads(line)
    values = [v for s in j["series"] for v in s["values"] if v is not None]
    got[(j["name"], j["aggregation"])] = values[0] if len(values) == 1 else None
ok = True
for name in ("db_client_operation_duration_seconds", "kscope_db_server_operation_duration_seconds"):
    n, p50, avg = (got.get((name, a)) for a in ("increase", "p50", "avg"))
    print(f"{name}: {n} SELECTs, p50 {p50 and p50 * 1e3:.2f} ms, mean {avg and avg * 1e3:.2f} ms")
    # The server's time is the sleep and little else (within 10%); the
    # client's adds its side of the loopback round trip and scheduling.
    top = 0.055 if name.startswith("kscope_db_server") else 0.060
    ok &= n == k and p50 is not None and 0.0419 <= p50 <= 0.0587 and avg is not None and 0.050 <= avg <= top
sys.exit(0 if ok else 1)
PY
echo "ok: pgbench (simple, extended, prepared) counted per operation and table as pg_stat_statements counted, both sides; pg_sleep(0.05) and a 42601"
