#!/usr/bin/env python3
"""Synthetic weeks of node metrics in OpenMetrics, for capacity_prometheus.sh.

Writes the exposition to argv[1] and the truths the test checks against to
argv[2] (JSON). History ends an hour before `now` (promtool writes blocks
for data older than the head), every 10 minutes, over 14 days:
  job="capacity": fs-host   /data fills linearly, 100 GiB full 10 days after the end
                  season-host memory in use: daily sinusoid (+-30%) growing 2%/day,
                              and 2 CPUs busy on the same daily cycle
                  spike-host  memory flat with a 30-minute spike on day 10
  job="capacity": app-host    OpenTelemetry's http_server_request_duration_seconds for two
                              services told apart by kscope's breakdown label (comm):
                              checkout (daily cycle, +2%/day, 2% 5xx) and search
                              (flat, 0.5% 5xx), each with a fixed latency mix whose p99
                              the buckets determine
  job="web":      web-00..web-09, memory and / (flat, noisy, every 20 minutes)
  job="db":       db-0, db-1 (must not appear when the web fleet is selected)
"""
import json
import math
import random
import sys
import time

STEP = 600
DAYS = 14
GiB = 1 << 30
end = (int(time.time()) - 3600) // STEP * STEP
start = end - DAYS * 86400
times = list(range(start, end + 1, STEP))
rng = random.Random(25)

families = {}  # name -> (type, [(labels, [(t, v)])])


def add(family, kind, sample_name, labels, values):
    families.setdefault(family, (kind, []))[1].append((sample_name, labels, values))


def gauge(name, labels, fn, every=1):
    add(name, "gauge", name, labels, [(t, fn(t)) for t in times[::every]])


def days(t):
    return (t - start) / 86400


# fs-host: /data fills linearly; / stays put.
fs_size = 100 * GiB
fs_used0 = 20 * GiB
fs_full = end + 10 * 86400
fs_rate = (fs_size - fs_used0) / (fs_full - start)  # bytes per second
for host, job in [("fs-host", "capacity"), ("season-host", "capacity"), ("spike-host", "capacity")]:
    lab = {"instance": host, "job": job}
    gauge("node_memory_MemTotal_bytes", lab, lambda t: 64 * GiB)
fs = {"instance": "fs-host", "job": "capacity", "mountpoint": "/data", "device": "/dev/vdb", "fstype": "ext4"}
gauge("node_filesystem_size_bytes", fs, lambda t: fs_size)
gauge("node_filesystem_avail_bytes", fs,
      lambda t: fs_size - (fs_used0 + fs_rate * (t - start)) + rng.gauss(0, 5e6))
root = {"instance": "fs-host", "job": "capacity", "mountpoint": "/", "device": "/dev/vda1", "fstype": "ext4"}
gauge("node_filesystem_size_bytes", root, lambda t: 50 * GiB)
gauge("node_filesystem_avail_bytes", root, lambda t: 30 * GiB + rng.gauss(0, 5e6))
gauge("node_memory_MemAvailable_bytes", {"instance": "fs-host", "job": "capacity"},
      lambda t: 48 * GiB + rng.gauss(0, 50e6))


# season-host: memory in use = 8 GiB * 1.02^days * (1 + 0.3 sin(day phase)).
def season_used(t):
    d = days(t)
    return 8 * GiB * 1.02 ** d * (1 + 0.3 * math.sin(2 * math.pi * d))


gauge("node_memory_MemAvailable_bytes", {"instance": "season-host", "job": "capacity"},
      lambda t: 64 * GiB - season_used(t) * (1 + rng.gauss(0, 0.01)))
# Its 2 CPUs: busy 30% +- 20% on the same cycle; counters of seconds.
for cpu in range(2):
    idle = user = 0.0
    idle_pts, user_pts = [], []
    for t in times:
        busy = 0.3 + 0.2 * math.sin(2 * math.pi * days(t))
        user += busy * STEP
        idle += (1 - busy) * STEP
        idle_pts.append((t, idle))
        user_pts.append((t, user))
    base = {"instance": "season-host", "job": "capacity", "cpu": str(cpu)}
    add("node_cpu_seconds", "counter", "node_cpu_seconds_total", dict(base, mode="idle"), idle_pts)
    add("node_cpu_seconds", "counter", "node_cpu_seconds_total", dict(base, mode="user"), user_pts)

# spike-host: 16 GiB in use, +20 GiB for 30 minutes on day 10.
spike_start = start + 10 * 86400 + 6 * 3600
spike_end = spike_start + 1800
gauge("node_memory_MemAvailable_bytes", {"instance": "spike-host", "job": "capacity"},
      lambda t: 64 * GiB - 16 * GiB * (1 + rng.gauss(0, 0.005)) - (20 * GiB if spike_start <= t < spike_end else 0))

# app-host: request histograms of two services. Counters are cumulative
# whole requests per series (as an exporter's are); the latency mix is the
# same at every step, so histogram_quantile's answer is known exactly.
LE = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
SERVICES = {
    # share of requests per bucket (LE[i-1], LE[i]]; the rest of 1 is beyond 1 s
    "checkout": {"route": "/cart", "method": "POST", "base": 40, "growth": 1.02, "amplitude": 0.5,
                 "error_share": 0.02, "mix": [0, 0.10, 0.30, 0.50, 0.08, 0.015, 0.005, 0]},
    "search": {"route": "/search", "method": "GET", "base": 15, "growth": 1.0, "amplitude": 0.0,
               "error_share": 0.005, "mix": [0.60, 0.35, 0.03, 0.015, 0.005, 0, 0, 0]},
}


def request_rate(svc, t):
    d = days(t)
    return svc["base"] * svc["growth"] ** d * (1 + svc["amplitude"] * math.sin(2 * math.pi * d))


def quantile_of_mix(q, mix):
    """What histogram_quantile interpolates for quantile q of a bucket mix."""
    cum, lower = 0.0, 0.0
    for le, share in zip(LE, mix):
        if share > 0 and cum + share >= q:
            return lower + (le - lower) * (q - cum) / share
        cum += share
        lower = le
    return LE[-1]


for name, svc in SERVICES.items():
    mids = [(lo + hi) / 2 for lo, hi in zip([0] + LE[:-1], LE)]
    mean_latency = sum(m * f for m, f in zip(mids, svc["mix"]))
    total = 0.0
    pts = {code: {"count": [], "sum": [], "bucket": [[] for _ in LE + ["+Inf"]]} for code in ("200", "500")}
    for t in times:
        total += request_rate(svc, t - STEP / 2) * STEP * (1 + rng.gauss(0, 0.01))
        errors = round(total * svc["error_share"])
        for code, n in (("200", round(total) - errors), ("500", errors)):
            p = pts[code]
            p["count"].append((t, n))
            p["sum"].append((t, n * mean_latency))
            cum = 0.0
            for i, share in enumerate(svc["mix"]):
                cum += share
                p["bucket"][i].append((t, round(n * min(cum, 1.0))))
            p["bucket"][-1].append((t, n))
    for code, p in pts.items():
        lab = {"instance": "app-host", "job": "capacity", "comm": name, "http_route": svc["route"],
               "http_request_method": svc["method"], "http_response_status_code": code}
        fam = "http_server_request_duration_seconds"
        for i, le in enumerate(LE + ["+Inf"]):
            add(fam, "histogram", fam + "_bucket", dict(lab, le=str(le)), p["bucket"][i])
        add(fam, "histogram", fam + "_count", lab, p["count"])
        add(fam, "histogram", fam + "_sum", lab, p["sum"])
    svc["p99"] = quantile_of_mix(0.99, svc["mix"])

# The web fleet and two hosts the matcher must leave out.
web = ["web-%02d" % i for i in range(10)]
for host, job in [(h, "web") for h in web] + [("db-0", "db"), ("db-1", "db")]:
    lab = {"instance": host, "job": job}
    base = rng.uniform(4, 12) * GiB
    # Every 20 minutes: promtool parses the whole file once per 2-hour block,
    # so the file's size is the test's time; these hosts only need to be there.
    gauge("node_memory_MemTotal_bytes", lab, lambda t: 32 * GiB, 2)
    gauge("node_memory_MemAvailable_bytes", lab, lambda t, b=base: 32 * GiB - b * (1 + rng.gauss(0, 0.01)), 2)
    fl = dict(lab, mountpoint="/", fstype="ext4")
    gauge("node_filesystem_size_bytes", fl, lambda t: 40 * GiB, 2)
    gauge("node_filesystem_avail_bytes", fl, lambda t, b=base: 40 * GiB - b + rng.gauss(0, 1e6), 2)


def esc(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


with open(sys.argv[1], "w") as out:
    for family, (kind, series) in families.items():
        out.write("# TYPE %s %s\n" % (family, kind))
        for sample_name, labels, values in series:
            lab = ",".join('%s="%s"' % (k, esc(v)) for k, v in sorted(labels.items()))
            for t, v in values:
                out.write("%s{%s} %.12g %d\n" % (sample_name, lab, v, t))
    out.write("# EOF\n")

with open(sys.argv[2], "w") as out:
    json.dump({"start": start, "end": end, "step": STEP, "fs_full": fs_full, "fs_size": fs_size,
               "spike_start": spike_start, "spike_end": spike_end, "web": web,
               # The truth of season-host, to evaluate at the report's own horizon.
               "season": {"base": 8 * GiB, "growth": 1.02, "amplitude": 0.3},
               "services": SERVICES}, out)
