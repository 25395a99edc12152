#!/usr/bin/env python3
"""The weight of /metrics: series and bytes under the standard load.

    sudo python3 bench/metrics_series.py [--minutes 10] [--out /tmp/metrics-series]
                                         [--kscope before=/tmp/old/kscope --kscope after=build/kscope]

Each binary (a private copy) runs `kscope run` with the embedded default
config on a free loopback port, side by side under one run of
bench/standard_load.sh (nginx + ab, redis-benchmark, a python busy loop, dd,
curl; see that script). Every 30 s, per binary: the series in /metrics (text
format: the sample lines), its bytes, the series a Prometheus with native
histograms stores (each histogram one series instead of its `le` buckets,
`_sum` and `_count`; counted from the text), and the bytes of the protobuf
format it asks for (a binary without it answers in text: the same bytes);
and kscope's VmRSS. Writes OUT/metrics-series.csv and prints the last
sample of each binary as a markdown table.
"""
import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overhead import free_port  # noqa: E402  (the same helper as the overhead bench)

PROTOBUF_ACCEPT = ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                   "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")


def fetch(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read(), r.headers.get("Content-Type", "")


def count_series(text):
    """Sample lines, and series once each histogram is one (its _count line)."""
    histograms = set()
    series = native = 0
    for line in text.splitlines():
        if line.startswith(b"# TYPE ") and line.endswith(b" histogram"):
            histograms.add(line.split()[2])
            continue
        if not line or line.startswith(b"#"):
            continue
        series += 1
        name = line.split(b"{", 1)[0].split(b" ", 1)[0]
        for suffix in (b"_bucket", b"_sum"):
            if name.endswith(suffix) and name[: -len(suffix)] in histograms:
                break
        else:
            native += 1
    return series, native


class Agent:
    def __init__(self, label, binary, work):
        self.label = label
        self.port = free_port()
        self.log = open(os.path.join(work, f"kscope-{label}.log"), "w")
        self.proc = subprocess.Popen([binary, "run", "--listen", f"127.0.0.1:{self.port}", "--log-level", "warn"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                fetch(self.url + "/api/v1/health")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"kscope {label} exited; see {self.log.name}")
                time.sleep(0.1)
        raise SystemExit(f"kscope {label} did not answer on {self.url}")

    def sample(self):
        text, _ = fetch(self.url + "/metrics")
        series, native = count_series(text)
        proto, ctype = fetch(self.url + "/metrics", PROTOBUF_ACCEPT)
        with open(f"/proc/{self.proc.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return {"series": series, "native_series": native, "text_bytes": len(text), "protobuf_bytes": len(proto),
                "protobuf": ctype.startswith("application/vnd.google.protobuf"), "rss_kb": rss}

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--out", default="/tmp/metrics-series")
    ap.add_argument("--kscope", action="append", default=[], metavar="LABEL=PATH",
                    help="binary to measure (repeatable); default: after=build/kscope")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (kscope run loads BPF programs)")
    binaries = [k.split("=", 1) for k in args.kscope] or [["after", os.path.join(ROOT, "build", "kscope")]]
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kscope-metrics-series-")
    agents, load = [], None
    rows = []
    try:
        for label, path in binaries:
            copy = os.path.join(work, f"kscope-{label}")
            shutil.copy2(path, copy)
            agents.append(Agent(label, copy, work))
        seconds = int(args.minutes * 60)
        start = time.monotonic()
        load = subprocess.Popen([os.path.join(ROOT, "bench", "standard_load.sh"), str(seconds)],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "load.log"), "w"))
        next_at = start + 30
        while load.poll() is None:
            time.sleep(max(0.0, min(1.0, next_at - time.monotonic())))
            if time.monotonic() < next_at:
                continue
            next_at += 30
            for a in agents:
                s = a.sample()
                rows.append({"label": a.label, "seconds": round(time.monotonic() - start), **s})
                print(f"{rows[-1]['seconds']:>5} s {a.label}: {s['series']} series ({s['native_series']} native), "
                      f"{s['text_bytes']} bytes text, RSS {s['rss_kb']} KiB, "
                      f"{s['protobuf_bytes']} bytes {'protobuf' if s['protobuf'] else 'text (no protobuf)'}",
                      flush=True)
        if load.returncode != 0:
            raise SystemExit(f"the standard load failed; see {work}/load.log")
        time.sleep(1.5)
        for a in agents:
            rows.append({"label": a.label, "seconds": round(time.monotonic() - start), **a.sample()})
    finally:
        if load and load.poll() is None:
            load.terminate()
            load.wait()
        for a in agents:
            a.stop()
    path = os.path.join(args.out, "metrics-series.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"\n{path}\n")
    print("| kscope | after s | series (text) | series (native histograms) | text bytes | protobuf bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for a in agents:
        last = [r for r in rows if r["label"] == a.label][-1]
        proto = f"{last['protobuf_bytes']:,}" if last["protobuf"] else "-"
        native = f"{last['native_series']:,}" if last["protobuf"] else "-"
        print(f"| {a.label} | {last['seconds']} | {last['series']:,} | {native} | {last['text_bytes']:,} | {proto} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
