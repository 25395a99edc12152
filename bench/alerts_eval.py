#!/usr/bin/env python3
"""Cost of the alert pipeline per interval (signals + every rule) with many
targets: starts `kscope run` with the default rules plus an SLO and an
anomaly rule over every target, runs TARGETS processes with distinct names
making failing openat calls, and samples kscope_alert_evaluation_seconds
(and the size of /api/v1/signals) once per interval.

    python3 bench/alerts_eval.py [--targets 150] [--seconds 30] [--build build]
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

RULES = """
alerts:
  rules:
    - name: OpenSlo
      slo:
        objective: 99%
        errors: {match: {syscall: openat}}
    - name: TrafficAnomaly
      anomaly: {signal: traffic.syscalls_per_second, method: zscore, window: 60, warmup: 10s, min_change: 100/s}
    - name: ErrorRate
      threshold: {signal: errors.syscall_errors_per_second, value: 1000000/s}
"""


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=150)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write(RULES)
    cfg.close()
    ks = subprocess.Popen([os.path.join(a.build, "kscope"), "run", "--config", cfg.name, "--listen",
                           f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            get(base + "/api/v1/health")
            break
        except OSError:
            time.sleep(0.1)
    wl = os.path.join(a.build, "workloads", "failing_opens")
    procs = [subprocess.Popen([wl, f"kb{i:04d}", "200", str(a.seconds + 5)]) for i in range(a.targets)]
    evals, sizes, targets = [], [], 0
    try:
        time.sleep(3)
        for _ in range(a.seconds):
            m = get(base + "/metrics")
            for line in m.splitlines():
                if line.startswith("kscope_alert_evaluation_seconds "):
                    evals.append(float(line.split()[1]))
            sig = get(base + "/api/v1/signals")
            sizes.append(len(sig))
            targets = max(targets, sig.count('"target":'))
            time.sleep(1)
    finally:
        for p in procs:
            p.kill()
        ks.send_signal(signal.SIGINT)
        ks.wait()
        os.unlink(cfg.name)
    evals.sort()
    print(f"targets in signals: {targets} (workload processes: {a.targets})")
    print(f"evaluation per interval: median {statistics.median(evals)*1e3:.2f} ms, "
          f"p90 {evals[int(len(evals)*0.9)]*1e3:.2f} ms, max {evals[-1]*1e3:.2f} ms over {len(evals)} samples")
    print(f"/api/v1/signals: median {statistics.median(sizes)/1024:.0f} KiB")


if __name__ == "__main__":
    sys.exit(main())
