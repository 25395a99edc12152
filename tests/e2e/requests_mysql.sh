#!/usr/bin/env bash
# MySQL requests end to end: `kscope run` with probes.l7 enabled watches a
# private mariadbd (its own datadir, socket and port: the server's greeting
# alone says MySQL) while the mariadb client sends SELECTs, INSERTs and a
# syntax error over TCP and DBD::MariaDB prepares an INSERT once and
# executes it (COM_STMT_PREPARE, COM_STMT_EXECUTE). /metrics must count,
# per operation and status, exactly what was sent and what the server's
# own SHOW GLOBAL STATUS counters moved by: on the server side
# (kscope_db_server_operation_duration_seconds, comm mariadbd) and on the
# client side (db_client_operation_duration_seconds to that port). The
# counters are read over the unix socket, which the l7 probe does not watch.
source "$(dirname "$0")/lib.sh"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)"  # db_metrics.py
require_root
for c in mariadbd mariadb mariadb-install-db; do
  command -v "$c" >/dev/null || fail "$c missing (scripts/packages.txt: mariadb-server, mariadb-client)"
done
perl -MDBD::MariaDB -e 1 2>/dev/null || fail "DBD::MariaDB missing (scripts/packages.txt: libdbd-mariadb-perl)"
work=$(mktemp -d)
db_pid=""
cleanup() {
  [[ -n "$db_pid" ]] && kill_and_reap "$db_pid"
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
mariadb-install-db --no-defaults --user=root --datadir="$work/data" --auth-root-authentication-method=normal \
  --skip-test-db >"$work/install.log" 2>&1 || fail "mariadb-install-db failed: $(tail -5 "$work/install.log")"
mariadbd --no-defaults --user=root --datadir="$work/data" --socket="$work/sock" --pid-file="$work/pid" \
  --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --innodb-buffer-pool-size=16M \
  --log-error="$work/error.log" >/dev/null 2>&1 &
db_pid=$!
local_db() { mariadb --no-defaults -S "$work/sock" -uroot "$@"; }
deadline=$((SECONDS + 30))
until local_db -e 'SELECT 1' >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "mariadbd did not start: $(tail -5 "$work/error.log")"
  kill -0 "$db_pid" 2>/dev/null || fail "mariadbd exited: $(tail -5 "$work/error.log")"
  sleep 0.1
done
local_db -e 'CREATE DATABASE e2e; CREATE TABLE e2e.t (id INT PRIMARY KEY, v VARCHAR(32))'

# The default capture (256 bytes) holds every packet of this load.
cat >"$work/kscope.yaml" <<YML
interval: 1s
probes:
  l7:
    enabled: true
YML
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# The server's counters before the load (Com_select, Com_insert, ...).
counters() {
  local_db -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN
    ('Com_select','Com_insert','Com_stmt_prepare','Com_stmt_execute','Com_set_option')"
}
counters >"$work/before.txt"

selects=40
inserts=25
executes=15
{
  for ((i = 1; i <= inserts; i++)); do echo "INSERT INTO t VALUES ($i, 'secret-$i');"; done
  for ((i = 1; i <= selects; i++)); do echo "SELECT v FROM t WHERE id = $i;"; done
  echo "SELEC broken;"
} >"$work/load.sql"
mariadb --no-defaults -h 127.0.0.1 -P "$port" -uroot --force e2e <"$work/load.sql" >/dev/null 2>"$work/client.err" || true
grep -q "ERROR 1064" "$work/client.err" || fail "the syntax error was not refused: $(cat "$work/client.err")"
perl - "$port" "$executes" <<'PL' || fail "DBD::MariaDB load failed"
use strict; use DBI;
my ($port, $n) = @ARGV;
my $dbh = DBI->connect("DBI:MariaDB:database=e2e;host=127.0.0.1;port=$port;mariadb_server_prepare=1",
                       "root", "", {RaiseError => 1, PrintError => 0});
my $ins = $dbh->prepare("INSERT INTO t (id, v) VALUES (?, ?)");
$ins->execute(1000 + $_, "prepared") for 1..$n;
undef $ins;
$dbh->disconnect;
PL
counters >"$work/after.txt"

# Compares /metrics with what was sent and with the counters' deltas.
check() {
  curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt" || return 1
  python3 - "$work/metrics.txt" "$work/before.txt" "$work/after.txt" "$port" "$selects" "$inserts" "$executes" <<'PY'
import collections, sys
import db_metrics
text = open(sys.argv[1], encoding="utf-8").read()
port = sys.argv[4]
selects, inserts, executes = (int(x) for x in sys.argv[5:8])
def counters(path):
    return {l.split()[0]: int(l.split()[1]) for l in open(path) if l.strip()}
before, after = counters(sys.argv[2]), counters(sys.argv[3])
delta = {k: after[k] - before[k] for k in after}
server, client = collections.Counter(), collections.Counter()
for side, kind, l, n in db_metrics.samples(text, "mysql", port):
    if kind != "count" or (side == "server" and l.get("comm") != "mariadbd"):
        continue
    key = (l.get("db_operation_name", ""), l.get("db_collection_name", ""), l.get("db_response_status_code", ""))
    (server if side == "server" else client)[key] += n
# What was sent, and what the server counted itself.
want = {
    ("SELECT", "t", ""): (selects, delta["Com_select"]),
    ("INSERT", "t", ""): (inserts + executes, delta["Com_insert"]),
    ("PREPARE", "t", ""): (1, delta["Com_stmt_prepare"]),
    ("_OTHER", "", "1064"): (1, 1),  # no counter counts a statement that does not parse
}
problems = []
if delta["Com_stmt_execute"] != executes:
    problems.append(f"Com_stmt_execute moved by {delta['Com_stmt_execute']}, {executes} sent")
for key, (sent, counted) in want.items():
    if sent != counted:
        problems.append(f"{key}: sent {sent}, the server counted {counted}")
    for side, got in (("server", server), ("client", client)):
        if got[key] != sent:
            problems.append(f"{side} {key}: kscope {got[key]}, sent {sent}")
# DBD::MariaDB's SET NAMES and the like, as the server counted them.
for side, got in (("server", server), ("client", client)):
    sets = sum(n for k, n in got.items() if k[0] == "SET")
    if sets != delta["Com_set_option"]:
        problems.append(f"{side} SET: kscope {sets}, Com_set_option {delta['Com_set_option']}")
    # Nothing else: no literal, no other operation.
    extra = {k: n for k, n in got.items() if k not in want and k[0] != "SET"}
    if extra:
        problems.append(f"{side}: unexpected {extra}")
if "secret" in text:
    problems.append("a literal reached /metrics")
db_metrics.exit_if(problems, text, "mysql")
PY
}
settled 10 "mysql requests in /metrics differ from what was sent" check
grep -q '^kscope_l7_dropped_total{protocol="mysql",reason=' "$work/metrics.txt" || fail "no mysql drop series"
echo "ok: mysql SELECT/INSERT/PREPARE and a 1064 counted as sent and as SHOW GLOBAL STATUS counted them, both sides"
