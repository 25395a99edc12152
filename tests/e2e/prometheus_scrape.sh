#!/usr/bin/env bash
# A real Prometheus (Debian's) scrapes `kscope run` on loopback while a
# workload makes an exact number of getppid() calls; its HTTP API must then
# report that count for the workload's comm, and the shipped recording rules
# must have produced values.
source "$(dirname "$0")/lib.sh"
require_root
command -v prometheus >/dev/null || skip "prometheus missing (apt-get install prometheus)"
workload="$KSCOPE_WORKLOAD_DIR/getppid_burst"
[[ -x "$workload" ]] || fail "missing $workload"
work=$(mktemp -d)
pids=""
cleanup() {
  # A killed child's status must not become the test's (set -e).
  kill_and_reap $pids
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT
# No folding into "other" (export:): the workload's count is exact however
# it ranks among the host's processes when it first shows up.
printf 'export:\n  histogram_targets: 1000\n  histogram_syscalls: 1000\n  counter_syscalls: 1000\n' >"$work/kscope.yaml"
start_kscope --config "$work/kscope.yaml"

# The shipped rules, evaluated every second instead of every 30 s.
sed 's/interval: 30s/interval: 1s/' "$KSCOPE_SOURCE_DIR/dashboards/prometheus/recording_rules.yml" >"$work/recording_rules.yml"
cat >"$work/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [recording_rules.yml]
scrape_configs:
  - job_name: kscope
    static_configs: [{targets: ["${KSCOPE_URL#http://}"]}]
YML
pport=$(free_port)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
pids=$!

query() {
  curl -fsS --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
positive() { python3 -c "import sys; sys.exit(0 if float('${1:-0}') > 0 else 1)"; }
for _ in $(seq 1 60); do
  [[ "$(query 'up{job="kscope"}' 2>/dev/null || true)" == 1 ]] && break
  sleep 1
done
# Half the calls, a pause Prometheus scrapes through, the other half: the
# counter is seen rising, so rate() has something to say.
n=123457
"$workload" "$n" 60 3 &
pids="$pids $!"
got=""
for _ in $(seq 1 60); do
  got=$(query "sum(kscope_syscall_latency_seconds_count{comm=\"getppid_burst\",syscall=\"getppid\"})" 2>/dev/null || true)
  [[ "$got" == "$n" ]] && break
  sleep 1
done
echo "prometheus: getppid calls of getppid_burst = ${got:-none} (expected $n)"
[[ "$got" == "$n" ]] || { tail -20 "$work/prometheus.log"; fail "wrong count"; }

rate=""
for _ in $(seq 1 30); do
  rate=$(query 'instance_comm:kscope_syscalls:rate5m{comm="getppid_burst"}' 2>/dev/null || true)
  positive "$rate" && break
  sleep 1
done
echo "prometheus: instance_comm:kscope_syscalls:rate5m{comm=getppid_burst} = ${rate:-none}"
positive "$rate" || fail "recording rule instance_comm:kscope_syscalls:rate5m has no positive value"
host=$(query 'instance:kscope_syscalls:rate5m')
echo "prometheus: instance:kscope_syscalls:rate5m = $host"
python3 -c "import sys; sys.exit(0 if float('${host:-0}') >= float('$rate') else 1)" ||
  fail "host rate $host is below the workload's rate $rate"
