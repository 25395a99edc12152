#!/usr/bin/env python3
"""Synthetic weeks of node metrics in OpenMetrics, for capacity_prometheus.sh.

Writes the exposition to argv[1] and the truths the test checks against to
argv[2] (JSON). History ends an hour before `now` (promtool writes blocks
for data older than the head), every 10 minutes, over 14 days:
  job="capacity": fs-host   /data fills linearly, 100 GiB full 10 days after the end
                  season-host memory in use: daily sinusoid (+-30%) growing 2%/day,
                              and 2 CPUs busy on the same daily cycle
                  spike-host  memory flat with a 30-minute spike on day 10
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
               "season": {"base": 8 * GiB, "growth": 1.02, "amplitude": 0.3}}, out)
