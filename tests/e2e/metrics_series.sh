#!/usr/bin/env bash
# The weight of /metrics under the standard load (bench/standard_load.sh:
# nginx + ab or python's http.server + curl, redis-benchmark, a busy loop,
# dd) with the default config: at most 5,000 series in the text format
# (one histogram per syscall and process made 25,000+ in 90 s), accepted by
# `promtool check metrics`; and a real Prometheus with native histograms
# scrapes the protobuf format, stores native histograms (no `le` series) and
# answers histogram_quantile and the shipped recording rules from them.
source "$(dirname "$0")/lib.sh"
require_root
command -v promtool >/dev/null || skip "promtool missing (apt-get install prometheus)"
command -v prometheus >/dev/null || skip "prometheus missing (apt-get install prometheus)"
load_seconds=${KSCOPE_LOAD_SECONDS:-45}
max_series=5000
work=$(mktemp -d)
pids=""
cleanup() {
  kill_and_reap $pids
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT
start_kscope

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
prometheus --enable-feature=native-histograms --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
pids=$!
query() {
  curl -fsS --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
positive() { python3 -c "import sys; sys.exit(0 if float('${1:-0}') > 0 else 1)"; }

"$KSCOPE_SOURCE_DIR/bench/standard_load.sh" "$load_seconds" >"$work/load.log" 2>&1 &
load=$!
pids="$pids $load"
wait "$load" || { cat "$work/load.log"; fail "the standard load failed"; }
wait_interval

# Text: the series count, and promtool.
curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt"
series=$(grep -vc '^#' "$work/metrics.txt")
bytes=$(wc -c <"$work/metrics.txt")
echo "text: $series series, $bytes bytes after ${load_seconds}s of the standard load"
((series >= 300)) || fail "only $series series: the load did not reach kscope"
((series <= max_series)) || fail "$series series in /metrics, want at most $max_series"
lint=$(promtool_check "$work/metrics.txt") || fail "promtool check metrics rejected /metrics: $lint"
# Every call is somewhere: the load's processes have their counters.
grep -qE '^kscope_syscalls_total\{syscall="[a-z_0-9]+",comm="(nginx|python3)"\} [1-9]' "$work/metrics.txt" ||
  fail "no kscope_syscalls_total for the web server"
grep -qE '^kscope_syscall_latency_seconds_bucket\{syscall="other",comm="other",le="\+Inf"\} [1-9]' "$work/metrics.txt" ||
  fail "no folded histogram for the quieter processes"

# Protobuf, as Prometheus asks for it.
accept='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
ctype=$(curl -fsS -o "$work/metrics.pb" -w '%{content_type}' -H "Accept: $accept" "$KSCOPE_URL/metrics")
[[ "$ctype" == application/vnd.google.protobuf*encoding=delimited* ]] || fail "protobuf asked for, got '$ctype'"
[[ $(head -c 40 "$work/metrics.pb" | tr -d '\0') != "# HELP"* ]] || fail "protobuf asked for, got text"
echo "protobuf: $(wc -c <"$work/metrics.pb") bytes"

# Prometheus scraped that format: native histograms, no classic buckets.
up=""
for _ in $(seq 1 30); do
  up=$(query 'up{job="kscope"}' 2>/dev/null || true)
  [[ "$up" == 1 ]] && break
  sleep 1
done
[[ "$up" == 1 ]] || { tail -20 "$work/prometheus.log"; fail "Prometheus does not scrape kscope"; }
scraped=$(query 'scrape_samples_scraped{job="kscope"}')
echo "prometheus (native histograms): $scraped series in a scrape"
((scraped <= max_series)) || fail "Prometheus stores $scraped series per scrape, want at most $max_series"
classic=$(query 'count(kscope_syscall_latency_seconds_bucket)')
[[ -z "$classic" ]] || fail "Prometheus stored $classic classic bucket series: it did not get native histograms"
p99=""
for _ in $(seq 1 30); do
  p99=$(query 'histogram_quantile(0.99, sum(rate(kscope_syscall_latency_seconds[30s])))' 2>/dev/null || true)
  positive "$p99" && break
  sleep 1
done
echo "prometheus: histogram_quantile(0.99) of the native kscope_syscall_latency_seconds = ${p99:-none}"
positive "$p99" || fail "no p99 from the native histograms"
count=$(query 'histogram_count(sum(kscope_syscall_latency_seconds))')
positive "$count" || fail "histogram_count of the native histograms is '${count:-none}'"
rule=""
for _ in $(seq 1 30); do
  rule=$(query 'instance:kscope_syscall_latency_seconds:p99_5m' 2>/dev/null || true)
  positive "$rule" && break
  sleep 1
done
echo "prometheus: instance:kscope_syscall_latency_seconds:p99_5m = ${rule:-none}"
positive "$rule" || fail "the shipped p99 recording rule has no value from native histograms"
