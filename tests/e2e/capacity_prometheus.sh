#!/usr/bin/env bash
# `kscope report --prometheus` against a real Prometheus (Debian's) holding
# 14 days of synthetic node metrics (tests/e2e/capacity_history.py), loaded
# with `promtool tsdb create-blocks-from openmetrics`. Checks, from the JSON:
#  (a) a filesystem filling linearly: exhaustion within 5% of the truth;
#  (b) a daily sinusoid growing 2%/day: 24 h seasonality found, the forecast
#      peak within 10% of the truth and inside the prediction interval;
#  (c) a 30-minute spike listed as an anomaly;
#  (d) 10 hosts selected by a matcher: one report covering exactly those;
#  (e) two services' request histograms (OpenTelemetry's names, told apart
#      by kscope's breakdown label): a row per service whose request rate
#      baseline and forecast peak are within 10% of the truth, 5xx ratio
#      that of the history, and p99 what the buckets determine.
# Also: the HTTP signals, absent for the web fleet, are left out with a
# note; Prometheus' own errors reach the user; the HTML page is written.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || skip "prometheus missing (apt-get install prometheus)"
command -v promtool >/dev/null || skip "promtool missing (apt-get install prometheus)"
command -v jq >/dev/null || skip "jq missing"
work=$(mktemp -d)
pids=""
cleanup() {
  kill_and_reap $pids
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$KSCOPE_SOURCE_DIR/tests/e2e/capacity_history.py" "$work/history.om" "$work/truth.json"
# Blocks as long as promtool makes them (486 h: one or two for 14 days):
# it parses the whole file once per block, and its default (2 h) would mean
# 168 passes. The history ends an hour ago, before the head block a fresh
# Prometheus starts with.
promtool tsdb create-blocks-from openmetrics --max-block-duration=500h -q "$work/history.om" "$work/tsdb" >/dev/null
rm "$work/history.om"

printf 'global: {scrape_interval: 1m}\nscrape_configs: []\n' >"$work/prometheus.yml"
pport=$(free_port)
# Retention far beyond the history (else the loaded blocks are deleted at
# start); a lookback longer than the 20-minute spacing of the web fleet's
# samples; blocks left as loaded (no compaction competing with the test).
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --storage.tsdb.retention.time=3650d --query.lookback-delta=25m \
  --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h \
  --web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
pids=$!
prom="http://127.0.0.1:$pport"
for _ in $(seq 1 100); do
  curl -fsS "$prom/-/ready" >/dev/null 2>&1 && break
  kill -0 "$pids" 2>/dev/null || { cat "$work/prometheus.log"; fail "prometheus exited"; }
  sleep 0.2
done
curl -fsS "$prom/-/ready" >/dev/null || { tail -20 "$work/prometheus.log"; fail "prometheus not ready"; }

"$KSCOPE" report --prometheus "$prom" --window 14d --horizon 7d --match '{job="capacity"}' --format json \
  >"$work/capacity.json" 2>"$work/capacity.err" || { cat "$work/capacity.err"; fail "report --prometheus failed"; }
cat "$work/capacity.err"

python3 - "$work/capacity.json" "$work/truth.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)
sig = {s["key"]: s for s in r["signals"]}
def row(key, instance, **labels):
    for s in sig[key]["series"]:
        if s["instance"] == instance and all(s["labels"].get(k) == v for k, v in labels.items()):
            return s
    fail("no %s row for %s %s" % (key, instance, labels))
if sorted(r["hosts"]) != ["app-host", "fs-host", "season-host", "spike-host"]:
    fail("hosts %s" % r["hosts"])
# No query exceeded Prometheus' limit (it would have refused it).
w = r["window"]
assert (w["end"] - w["start"]) / w["step_seconds"] <= 11000

# (a) /data fills linearly: full at truth["fs_full"].
fs = row("filesystem", "fs-host", mountpoint="/data")
ex = fs["exhaustion"]
if not ex or ex["time"] is None:
    fail("no exhaustion for /data: %s" % fs)
ahead = truth["fs_full"] - fs["last_time"]
err = abs(ex["time"] - truth["fs_full"])
print("(a) /data full at %.0f, truth %.0f: off by %.1f%% of the %.1f days ahead; interval [%s, %s]" %
      (ex["time"], truth["fs_full"], 100 * err / ahead, ahead / 86400, ex["earliest"], ex["latest"]))
if err > 0.05 * ahead:
    fail("exhaustion of /data off by more than 5%")
if not (ex["earliest"] <= ex["time"] and (ex["latest"] is None or ex["latest"] >= ex["time"])):
    fail("exhaustion interval does not hold its estimate")
if abs(fs["capacity"] - truth["fs_size"]) > 1:
    fail("capacity of /data %s" % fs["capacity"])
if row("filesystem", "fs-host", mountpoint="/")["exhaustion"]["time"] is not None:
    fail("a flat / is forecast to fill")

# (b) season-host memory: daily seasonality and the forecast peak.
mem = row("memory", "season-host")
daily = [s for s in mem["seasonality"] if s["name"] == "daily"][0]
weekly = [s for s in mem["seasonality"] if s["name"] == "weekly"][0]
if not daily["significant"]:
    fail("daily seasonality not found: %s" % mem["seasonality"])
if weekly["significant"]:
    fail("a weekly seasonality where there is none")
if mem["model"]["seasonal_period_seconds"] != 86400:
    fail("model period %s" % mem["model"])
s = truth["season"]
def used(t):
    d = (t - truth["start"]) / 86400
    return s["base"] * s["growth"] ** d * (1 + s["amplitude"] * math.sin(2 * math.pi * d))
fc = mem["forecast"]
true_peak = max(used(mem["last_time"] + k * 60) for k in range(1, int((fc["horizon_end"] - mem["last_time"]) / 60) + 1))
print("(b) forecast peak %.3g [%.3g, %.3g], truth %.3g (%.1f%%); daily r=%.2f" %
      (fc["peak"], fc["peak_lower"], fc["peak_upper"], true_peak, 100 * (fc["peak"] / true_peak - 1),
       daily["autocorrelation"]))
if abs(fc["peak"] - true_peak) > 0.1 * true_peak:
    fail("forecast peak off by more than 10%")
if not fc["peak_lower"] <= true_peak <= fc["peak_upper"]:
    fail("the true peak is outside the prediction interval")
if abs(fc["recommended_capacity"] - fc["peak"] * r["options"]["headroom"]) > 1e-6 * fc["peak"]:
    fail("recommended capacity is not peak x headroom")
cpu = row("cpu", "season-host")
if cpu["capacity"] != 2 or not any(x["significant"] for x in cpu["seasonality"] if x["name"] == "daily"):
    fail("cpu row: %s" % {k: cpu[k] for k in ("capacity", "seasonality")})

# (c) the spike.
spike = row("memory", "spike-host")
hits = [a for a in spike["anomalies"] if truth["spike_start"] - 900 <= a["peak_time"] <= truth["spike_end"] + 900]
print("(c) spike-host anomalies: %s" % spike["anomalies"])
if not hits:
    fail("the spike is not an anomaly")
if len(spike["anomalies"]) > 2:
    fail("noise listed as anomalies")

# (e) app-host's two services, one row each per request signal.
def rate_truth(svc, t):
    d = (t - truth["start"]) / 86400
    return svc["base"] * svc["growth"] ** d * (1 + svc["amplitude"] * math.sin(2 * math.pi * d))
for name, svc in truth["services"].items():
    for key in ("request_rate", "request_latency_p99", "error_ratio"):
        rows = [x for x in sig[key]["series"] if x["labels"].get("comm") == name]
        if len(rows) != 1:
            fail("%s: %d rows for service %s: %s" % (key, len(rows), name, [x["labels"] for x in sig[key]["series"]]))
    rate = row("request_rate", "app-host", comm=name)
    b, fc = rate["baseline"], rate["forecast"]
    span = range(int(rate["first"]), int(rate["last_time"]) + 1, 60)
    true_mean = sum(rate_truth(svc, t) for t in span) / len(span)
    ahead = range(int(rate["last_time"]) + 60, int(fc["horizon_end"]) + 1, 60)
    true_peak = max(rate_truth(svc, t) for t in ahead)
    print("(e) %s rate: mean %.2f/s (truth %.2f), forecast peak %.2f/s [%.2f, %.2f] (truth %.2f)" %
          (name, b["mean"], true_mean, fc["peak"], fc["peak_lower"], fc["peak_upper"], true_peak))
    if abs(b["mean"] - true_mean) > 0.1 * true_mean:
        fail("%s: request rate baseline off by more than 10%%" % name)
    if abs(fc["peak"] - true_peak) > 0.1 * true_peak:
        fail("%s: request rate forecast peak off by more than 10%%" % name)
    if svc["amplitude"] and not any(x["significant"] for x in rate["seasonality"] if x["name"] == "daily"):
        fail("%s: daily seasonality of the request rate not found" % name)
    # Whole requests per series make the share exact to about one error in
    # a rate window's hundred or more (search's 0.5% of 15/s over 30 min).
    err = row("error_ratio", "app-host", comm=name)["baseline"]
    print("    5xx ratio p50 %.5f, range [%.5f, %.5f] (truth %.5f)" %
          (err["p50"], err["min"], err["max"], svc["error_share"]))
    for k in ("p50", "mean", "min", "max"):
        if abs(err[k] - svc["error_share"]) > 0.02 * svc["error_share"]:
            fail("%s: 5xx ratio %s %s, truth %s" % (name, k, err[k], svc["error_share"]))
    lat = row("request_latency_p99", "app-host", comm=name)
    print("    p99 latency p50 %.5f s, range [%.5f, %.5f], forecast peak %.5f (truth %.5f)" %
          (lat["baseline"]["p50"], lat["baseline"]["min"], lat["baseline"]["max"], lat["forecast"]["peak"], svc["p99"]))
    for v in (lat["baseline"]["p50"], lat["baseline"]["min"], lat["baseline"]["max"], lat["last"], lat["forecast"]["peak"]):
        if abs(v - svc["p99"]) > 0.01 * svc["p99"]:
            fail("%s: p99 latency %s, truth %s" % (name, v, svc["p99"]))
print("ok: capacity report (a) (b) (c) (e)")
PY

# (d) the web fleet by a matcher: exactly its 10 hosts, each with memory and /.
"$KSCOPE" report --prometheus "$prom" --window 14d --match '{job="web"}' --format json >"$work/web.json" 2>/dev/null ||
  fail "report of the web fleet failed"
want=$(jq -c '.web' "$work/truth.json")
got=$(jq -c '.hosts' "$work/web.json")
[[ "$got" == "$want" ]] || fail "hosts of {job=\"web\"}: $got, want $want"
rows=$(jq '[.signals[] | select(.key == "memory" or .key == "filesystem") | .series[].instance] | unique | length' "$work/web.json")
[[ "$rows" == 10 ]] || fail "memory and filesystem rows cover $rows hosts"
echo "(d) {job=\"web\"}: $got"
# No service there exports the HTTP histograms: those signals are left out, with a note.
absent=$(jq -r '[.signals[] | select(.key | test("^request_|^error_")) | select(.found or
  (.note | contains("http_server_request_duration_seconds") | not)) | .key] | join(" ")' "$work/web.json")
[[ -z "$absent" ]] || fail "HTTP signals of {job=\"web\"} not left out with a note: $absent"

# HTML, with the charts' data inline.
"$KSCOPE" report --prometheus "$prom" --window 14d --match '{job="capacity"}' -o "$work/capacity.html" 2>/dev/null ||
  fail "HTML report failed"
grep -q 'What runs out' "$work/capacity.html" || fail "HTML without its exhaustion table"
grep -q 'uPlot' "$work/capacity.html" || fail "HTML without uPlot"

# Prometheus' own error, surfaced: a matcher it cannot parse.
if "$KSCOPE" report --prometheus "$prom" --match '{job=~"("}' --format json >/dev/null 2>"$work/err.txt"; then
  fail "a bad matcher was accepted"
fi
grep -q 'Prometheus refused the query: bad_data' "$work/err.txt" || { cat "$work/err.txt"; fail "Prometheus' error not shown"; }
echo "ok: capacity report from Prometheus"
