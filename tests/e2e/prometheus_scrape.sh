#!/bin/bash
# A real Prometheus (Debian's) scrapes `kscope run` on loopback while a
# workload makes an exact number of getppid() calls; its HTTP API must then
# report that count for the workload's comm, and the recording rules must
# have produced values.
set -euo pipefail
source "$(dirname "$0")/common.bash"
command -v prometheus >/dev/null || skip "prometheus missing (apt-get install prometheus)"
WORKLOAD="$KSCOPE_WORKLOAD_DIR/getppid_burst"
[ -x "$WORKLOAD" ] || { echo "missing $WORKLOAD"; exit 1; }

KPORT=$(free_port)
PPORT=$(free_port)
start_kscope "$KPORT"

# The shipped rules, evaluated every second instead of every 30 s.
sed 's/interval: 30s/interval: 1s/' "$KSCOPE_SOURCE_DIR/dashboards/prometheus/recording_rules.yml" >"$WORK/recording_rules.yml"
cat >"$WORK/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [recording_rules.yml]
scrape_configs:
  - job_name: kscope
    static_configs: [{targets: ["127.0.0.1:$KPORT"]}]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PPORT" >"$WORK/prometheus.log" 2>&1 &
EXTRA_PIDS=$!

query() {
  curl -fsS --get "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
for _ in $(seq 1 60); do
  [ "$(query 'up{job="kscope"}' 2>/dev/null || true)" = 1 ] && break
  sleep 1
done
# Half the calls, a pause Prometheus scrapes through, the other half: the
# counter is seen rising, so rate() has something to say.
N=123457
"$WORKLOAD" "$N" 60 3 &
EXTRA_PIDS="$EXTRA_PIDS $!"
got=""
for _ in $(seq 1 60); do
  got=$(query "sum(kscope_syscall_latency_seconds_count{comm=\"getppid_burst\",syscall=\"getppid\"})" 2>/dev/null || true)
  [ "$got" = "$N" ] && break
  sleep 1
done
echo "prometheus: getppid calls of getppid_burst = ${got:-none} (expected $N)"
[ "$got" = "$N" ] || { tail -20 "$WORK/prometheus.log"; exit 1; }

rate=""
for _ in $(seq 1 30); do
  rate=$(query 'instance_comm:kscope_syscalls:rate5m{comm="getppid_burst"}' 2>/dev/null || true)
  python3 -c "import sys; sys.exit(0 if float('${rate:-0}') > 0 else 1)" && break
  sleep 1
done
echo "prometheus: instance_comm:kscope_syscalls:rate5m{comm=getppid_burst} = ${rate:-none}"
python3 -c "import sys; sys.exit(0 if float('${rate:-0}') > 0 else 1)"
host=$(query 'instance:kscope_syscalls:rate5m')
echo "prometheus: instance:kscope_syscalls:rate5m = $host"
python3 -c "import sys; sys.exit(0 if float('${host:-0}') >= float('$rate') else 1)"
echo "1 passed, 0 failed"
