#!/usr/bin/env python3
"""Look inside: where kscope's own userspace spends CPU under load.

    sudo python3 bench/self_profile.py [--build build] [--seconds 30] [--out /tmp/self-profile]

Starts `kscope run` (embedded default config) on a free loopback port and
loads it the way a busy host and its readers do: GET /metrics 10 times a
second, /api/v1/signals every second, the dashboard's chart and target
queries every 2 s, one WebSocket client subscribed like the dashboard, and
process churn (tests/workloads/churn: 1000 processes and 100 threads under
50 names every 2 s, the same names each round). After a 20 s warm-up it
records kscope itself with `kscope profile --pid PID -F 499` for SECONDS
and reads kscope's utime+stime from /proc/PID/stat across the same window.

Writes OUT/self.folded and OUT/summary.txt: CPU seconds (and % of one core)
over the window, scrapes served, samples, and the hottest frames by self
and by inclusive samples. Run it before and after a change on the same
machine; the load is fixed, so the CPU seconds compare.
"""
import argparse
import collections
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("soak", os.path.join(HERE, "soak.py"))
soak = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(soak)

# Frames that every stack passes through: not where the time goes.
PLUMBING = re.compile(r"^(kscope|\[unknown\]|_start|__libc_start.*|main|clone3?|start_thread|"
                      r"execute_native_thread_routine|\[kernel\].*|.*entry_SYSCALL.*|do_syscall_64)$")


class Readers:
    def __init__(self, url, work):
        self.url, self.work = url, work
        self.stop = threading.Event()
        self.counts = collections.Counter()
        self.errors = {}
        self.threads = []
        self.metrics_bytes = 0

    def every(self, seconds, fn, name):
        def loop():
            next_t = time.monotonic()
            while not self.stop.is_set():
                try:
                    fn()
                    self.counts[name] += 1
                except Exception as e:
                    self.counts[name + "_errors"] += 1
                    self.errors[name] = repr(e)
                next_t += seconds
                self.stop.wait(max(0.0, next_t - time.monotonic()))
        self.threads.append(threading.Thread(target=loop, daemon=True, name=name))

    def scrape(self):
        self.metrics_bytes = len(soak.http_get(self.url + "/metrics"))

    def dashboard(self):
        for q in soak.CHART_QUERIES + soak.TARGET_QUERIES:
            soak.http_get(self.url + "/api/v1/query?" + urllib.parse.urlencode(dict(q, start="-900s", step=3)))

    def churn(self):
        subprocess.run([os.path.join(self.work, "churn"), "1000", "100", "50", "sp_"], stdout=subprocess.DEVNULL,
                       check=True, timeout=60)

    def start(self):
        self.every(0.1, self.scrape, "metrics")
        self.every(1, lambda: soak.http_get(self.url + "/api/v1/signals"), "signals")
        self.every(2, self.dashboard, "query")
        self.every(2, self.churn, "churn")
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def top_frames(folded_path, n=20):
    self_c, incl, total = collections.Counter(), collections.Counter(), 0
    with open(folded_path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            c = int(count)
            frames = stack.split(";")
            total += c
            self_c[frames[-1]] += c
            for fr in set(frames):
                if not PLUMBING.match(fr):
                    incl[fr] += c
    return total, self_c.most_common(n), incl.most_common(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--binary", help="the kscope to run and profile it with (default: BUILD/kscope)")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--frequency", type=int, default=499)
    ap.add_argument("--out", default="/tmp/self-profile")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("self_profile: needs root")
    os.makedirs(args.out, exist_ok=True)
    work, copies = soak.prepare(args.build, args.out, {"kscope": args.binary or os.path.join(args.build, "kscope")})
    port = soak.free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(args.out, "kscope.log"), "w")
    agent = subprocess.Popen([copies["kscope"], "run", "--listen", f"127.0.0.1:{port}",
                              "--log-level", "warn"], stdout=log, stderr=subprocess.STDOUT)
    readers = None
    ws = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                soak.http_get(url + "/api/v1/health", timeout=1)
                break
            except OSError:
                if agent.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"self_profile: kscope did not start (see {args.out}/kscope.log)")
                time.sleep(0.1)
        readers = Readers(url, work)
        readers.start()
        ws = soak.WsClient("127.0.0.1", port)
        ws.start()
        time.sleep(args.warmup)
        before = dict(readers.counts)
        cpu0, t0 = soak.cpu_seconds(agent.pid), time.monotonic()
        folded = os.path.join(args.out, "self.folded")
        subprocess.run([copies["kscope"], "profile", "--pid", str(agent.pid), "--duration",
                        f"{args.seconds}s", "-F", str(args.frequency), "-q", "-o", folded], check=True)
        cpu1, t1 = soak.cpu_seconds(agent.pid), time.monotonic()
        served = {k: readers.counts[k] - before.get(k, 0) for k in readers.counts}
        status = soak.proc_status(agent.pid)
        history = json.loads(soak.http_get(url + "/api/v1/history"))
    finally:
        if readers:
            readers.finish()
        if ws:
            ws.stop()
        if agent.poll() is None:
            agent.terminate()
            agent.wait(timeout=15)
    total, self_top, incl_top = top_frames(folded)
    cpu = cpu1 - cpu0
    lines = [f"kscope CPU over {t1 - t0:.1f} s: {cpu:.2f} s ({100 * cpu / (t1 - t0):.1f}% of one core)",
             f"served in the window: {json.dumps(served, sort_keys=True)}; /metrics {readers.metrics_bytes} bytes; "
             f"history {history.get('series')} series, {history.get('bytes')} bytes; RSS {status['VmRSS']} kB",
             f"samples: {total} at {args.frequency} Hz; websocket updates: {ws.messages}",
             "", "self (leaf frame):"]
    lines += [f"  {100 * c / max(total, 1):5.1f}%  {c:6d}  {fr}" for fr, c in self_top]
    lines += ["", "inclusive:"]
    lines += [f"  {100 * c / max(total, 1):5.1f}%  {c:6d}  {fr}" for fr, c in incl_top]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
