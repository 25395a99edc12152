#!/usr/bin/env python3
"""Soak: `kscope run` for an hour under a bounded, realistic load; its memory
recorded every minute.

    sudo python3 bench/soak.py [--minutes 60] [--build build] [--out /tmp/soak]
                               [--kscope before=/tmp/old/kscope --kscope after=build/kscope]

kscope runs with the embedded default config (full history: an hour of every
series) on a free loopback port, from a private copy of the binary and the
workloads (rebuilds in the shared build folder during the hour change
nothing). The load, a few % of one core:
  - syscalls: a paced failing-openat process (200/s, errors), a paced
    nanosleep + openat process (100/s each), a 20,000-getppid burst each
    second (short-lived, one name);
  - sched: a 2,000-round same-CPU pipe ping-pong every 2 s;
  - churn: every 20 s, 300 processes and 30 threads under 10 names that
    change every minute (`sk<minute>_<i>`): new series keep appearing and
    age out after series_ttl, the breakdown cap folds the rest into "other";
  - readers: GET /metrics every 5 s, /api/v1/signals every 10 s, the
    dashboard's 15-minute chart queries every 15 s, and one WebSocket client
    subscribed like the dashboard (8 chart lines, 4 target tables).
Every minute (--sample-seconds): VmRSS, PSS, the host's load average,
VmHWM, the history (bytes, frames, series from /api/v1/history, with the
heap trims), the sample lines in /metrics, the
kernel map memory (sum of memlock over the map fds in /proc/PID/fdinfo) and
kscope's CPU seconds.
Several --kscope binaries run side by side under the one load (each gets
its own readers), for a before/after on identical conditions. Writes
OUT/soak.csv (OUT/soak-LABEL.csv with several) and OUT/summary.md (RSS at
1, 5, 15, 30, 60 min and the slope over the second half).
"""
import argparse
import base64
import glob
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overhead import free_port  # noqa: E402  (the same helper as the overhead bench)
LAT = "kscope_syscall_latency_seconds"
ERR = "kscope_syscall_errors_total"
RUNQ = "kscope_runqueue_latency_seconds"
RETX = "kscope_tcp_retransmits_total"
# What the dashboard asks for (userspace/web/embed/app.js): chart lines...
CHART_QUERIES = [
    {"name": LAT, "aggregation": "p50"}, {"name": LAT, "aggregation": "p99"},
    {"name": LAT, "aggregation": "p999"}, {"name": LAT, "aggregation": "rate"},
    {"name": ERR, "aggregation": "rate"}, {"name": RETX, "aggregation": "rate"},
    {"name": RUNQ, "aggregation": "p99"}, {"name": RUNQ, "aggregation": "p50"},
]
# ... and the per-target tables.
TARGET_QUERIES = [
    {"name": LAT, "aggregation": "p99", "by": "comm", "limit": 50},
    {"name": LAT, "aggregation": "rate", "by": "comm", "limit": 50},
    {"name": ERR, "aggregation": "rate", "by": "comm", "limit": 50},
    {"name": RUNQ, "aggregation": "p99", "by": "comm", "limit": 50},
]


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                out[k] = int(v.split()[0])
    return out


def pss_kb(pid):
    """Proportional set size (/proc/PID/smaps_rollup): shared library pages
    counted once across the soaked binaries; 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def map_memlock_kb(pid):
    """Kernel memory of the BPF maps pid holds open: memlock of each map fd."""
    total, seen = 0, set()
    for info in glob.glob(f"/proc/{pid}/fdinfo/*"):
        try:
            text = open(info).read()
        except OSError:
            continue
        m = re.search(r"^map_id:\s*(\d+)", text, re.M)
        lock = re.search(r"^memlock:\s*(\d+)", text, re.M)
        if m and lock and m.group(1) not in seen:
            seen.add(m.group(1))
            total += int(lock.group(1))
    return total // 1024, len(seen)


class WsClient(threading.Thread):
    """A minimal RFC 6455 client subscribed like the dashboard; counts updates."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.messages = 0
        self.error = None
        self.stopping = False
        self.sock = None

    def send_text(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("websocket closed")
            buf += chunk
        return buf

    def run(self):
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=30)
            key = base64.b64encode(os.urandom(16)).decode()
            self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
                               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += self.recv_exact(1)
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
            self.sock.settimeout(None)
            while not self.stopping:
                b0, b1 = self.recv_exact(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack(">H", self.recv_exact(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", self.recv_exact(8))[0]
                payload = self.recv_exact(n)
                op = b0 & 0x0F
                if op == 0x8:
                    raise ConnectionError("websocket closed by server")
                if op == 0x9:  # ping: answer with a masked pong
                    mask = os.urandom(4)
                    self.sock.sendall(bytes([0x8A, 0x80 | n]) + mask +
                                      bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                    continue
                if op != 0x1:
                    continue
                msg = json.loads(payload)
                if msg.get("type") == "hello":
                    for i, q in enumerate(CHART_QUERIES):
                        self.send_text(json.dumps({"subscribe": dict(q, id=f"chart/{i}")}))
                    for i, q in enumerate(TARGET_QUERIES):
                        self.send_text(json.dumps({"subscribe": dict(q, id=f"targets/{i}")}))
                else:
                    self.messages += 1
        except Exception as e:  # reported in the CSV; the soak goes on
            if not self.stopping:
                self.error = repr(e)

    def stop(self):
        self.stopping = True
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Target:
    """One `kscope run` under test, its readers' state and its samples."""

    def __init__(self, label, binary, log_path, env=None):
        self.label = label
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        # --allow-second: several soaked binaries (and any kscope of the host)
        # run at once.
        self.proc = subprocess.Popen([binary, "run", "--listen", f"127.0.0.1:{self.port}", "--log-level", "warn",
                                      "--allow-second"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        self.env = env or {}
        self.ws = WsClient("127.0.0.1", self.port)
        self.metrics_series = 0
        self.rows = []
        self.exited = None

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                http_get(self.url + "/api/v1/health", timeout=1)
                return True
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    return False
                time.sleep(0.1)

    def stop(self):
        self.ws.stop()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Load:
    """The background load: workload processes on timers, and readers of
    every target."""

    def __init__(self, work, targets):
        self.work, self.targets = work, targets
        self.procs = []
        self.threads = []
        self.errors = {}
        self.counts = {}
        self.stopping = threading.Event()

    def count(self, what, ok=True):
        key = what if ok else what + "_errors"
        self.counts[key] = self.counts.get(key, 0) + 1

    def every(self, seconds, fn, name):
        def loop():
            while not self.stopping.is_set():
                t0 = time.monotonic()
                try:
                    fn()
                    self.count(name)
                except Exception as e:
                    self.count(name, ok=False)
                    self.errors[name] = repr(e)
                self.stopping.wait(max(0.0, seconds - (time.monotonic() - t0)))
        t = threading.Thread(target=loop, daemon=True, name=name)
        self.threads.append(t)

    def run_workload(self, argv, timeout=60):
        subprocess.run([os.path.join(self.work, argv[0])] + argv[1:], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=timeout)

    def start(self, seconds):
        w = lambda name: os.path.join(self.work, name)  # noqa: E731
        # Paced, long-lived: they run for the whole soak.
        self.procs.append(subprocess.Popen([w("failing_opens"), "soak_errs", "200", str(seconds)],
                                           stdout=subprocess.DEVNULL))
        self.procs.append(subprocess.Popen([w("syscall_workload"), "soak_sleep", str(seconds * 100), "10000"],
                                           stdout=subprocess.DEVNULL))
        start = time.monotonic()
        self.every(1, lambda: self.run_workload(["getppid_loop", "20000"]), "getppid")
        self.every(2, lambda: self.run_workload(["pingpong", "2000"]), "pingpong")
        self.every(20, lambda: self.run_workload(
            ["churn", "300", "30", "10", f"sk{int((time.monotonic() - start) // 60)}_"]), "churn")
        for t in self.targets:
            self.every(5, lambda t=t: self.scrape(t), f"{t.label}:metrics")
            self.every(10, lambda t=t: http_get(t.url + "/api/v1/signals"), f"{t.label}:signals")
            self.every(15, lambda t=t: self.dashboard(t), f"{t.label}:query")
        for th in self.threads:
            th.start()
        for t in self.targets:
            t.ws.start()

    def scrape(self, target):
        body = http_get(target.url + "/metrics").decode(errors="replace")
        target.metrics_series = sum(1 for line in body.splitlines() if line and not line.startswith("#"))

    def dashboard(self, target):
        for q in CHART_QUERIES + [dict(TARGET_QUERIES[0], limit=5)] + TARGET_QUERIES:
            qs = urllib.parse.urlencode(dict(q, start="-900s", step=3))
            http_get(target.url + "/api/v1/query?" + qs)

    def stop(self):
        self.stopping.set()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for t in self.threads:
            t.join(timeout=70)


def prepare(build, out, binaries=None):
    """Private copies of the binaries and the workloads the soak runs.
    binaries: {label: path}; default {"kscope": BUILD/kscope}. Returns the
    folder and {label: copied path}."""
    work = os.path.join(out, "bin")
    os.makedirs(work, exist_ok=True)
    binaries = binaries or {"kscope": os.path.join(build, "kscope")}
    copies = {}
    for label, path in binaries.items():
        copies[label] = os.path.join(work, "kscope" if label == "kscope" else f"kscope-{label}")
        shutil.copy2(path, copies[label])
    for name in ("failing_opens", "syscall_workload", "getppid_loop", "pingpong", "churn"):
        shutil.copy2(os.path.join(build, "workloads", name), os.path.join(work, name))
    return work, copies


def slope_kb_per_min(rows, lo, hi):
    pts = [(r["minute"], r["rss_kb"]) for r in rows if lo <= r["minute"] <= hi]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def summarize_target(t, args):
    rows = t.rows

    def at(minute):
        best = min(rows, key=lambda r: abs(r["minute"] - minute)) if rows else None
        return best if best and abs(best["minute"] - minute) <= 1 else None

    mb = lambda kb: f"{kb / 1024:.1f}"  # noqa: E731
    lines = [f"## {t.label}", "",
             "| minute | RSS MB | PSS MB | load 1m | peak MB | history MB | history series | frames | /metrics lines | maps MB | "
             "kscope CPU % |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    marks = [1, 5, 10, 15, 30, 60] if args.minutes >= 60 else sorted({1, max(1, int(args.minutes // 2)),
                                                                   int(args.minutes)})
    for m in marks:
        r = at(m)
        if r:
            lines.append(f"| {m} | {mb(r['rss_kb'])} | {mb(r['pss_kb'])} | {r['load1']:.1f} | {mb(r['hwm_kb'])} | {r['history_bytes'] / 2**20:.1f} | "
                         f"{r['history_series']} | {r['history_frames']} | {r['metrics_series']} | "
                         f"{mb(r['maps_kb'])} | {r['cpu_pct']:.1f} |")
    half = slope_kb_per_min(rows, args.minutes / 2, args.minutes)
    whole = slope_kb_per_min(rows, 1, args.minutes)
    fmt_slope = lambda v: "n/a" if v is None else f"{v:+.1f}"  # noqa: E731
    lines += ["", f"RSS slope: {fmt_slope(whole)} KiB/min over the run, {fmt_slope(half)} KiB/min over the "
              "second half."]
    if rows:
        last = rows[-1]
        lines.append(f"max RSS {mb(max(r['rss_kb'] for r in rows))} MB; peak (VmHWM) {mb(last['hwm_kb'])} MB; "
                     f"kscope CPU {last['cpu_s']:.0f} s in all; heap trims {last['heap_trims']} "
                     f"({last['heap_released_kb'] / 1024:.0f} MB given back).")
    lines.append(f"websocket updates received: {t.ws.messages}" + (f" (error: {t.ws.error})" if t.ws.error else ""))
    lines.append(f"exited early: {t.exited}" if t.exited else "alive at the end")
    return lines


def summarize(targets, args, extra):
    lines = [f"# kscope soak: {args.minutes:g} min, embedded default config", "",
             f"started {extra['started']}; commit {extra['commit']}; "
             + ", ".join(f"{t.label}: {extra['binaries'][t.label]}" for t in targets), ""]
    for label, env in extra.get("envs", {}).items():
        lines.append(f"{label} runs with " + " ".join(f"{k}={v}" for k, v in env.items()))
    if extra.get("envs"):
        lines.append("")
    for t in targets:
        lines += summarize_target(t, args) + [""]
    loads = sorted(r["load1"] for t in targets for r in t.rows)
    if loads:
        lines.append(f"host load average (1 min) over the samples: min {loads[0]:.1f}, median "
                     f"{loads[len(loads) // 2]:.1f}, max {loads[-1]:.1f}")
    lines += [f"load: {json.dumps(extra['counts'], sort_keys=True)}",
              f"load errors: {json.dumps(extra['errors'])}" if extra["errors"] else "load errors: none"]
    return "\n".join(lines) + "\n"


FIELDS = ["minute", "rss_kb", "pss_kb", "load1", "hwm_kb", "anon_kb", "threads", "history_bytes", "history_frames",
          "history_series", "history_dropped", "metrics_series", "maps_kb", "maps", "cpu_s", "cpu_pct",
          "ws_messages", "heap_trims", "heap_released_kb", "load_errors"]


def sample(t, load, t0, prev):
    st = proc_status(t.proc.pid)
    try:
        h = json.loads(http_get(t.url + "/api/v1/history"))
    except Exception as e:
        load.errors[f"{t.label}:history"] = repr(e)
        h = {}
    maps_kb, nmaps = map_memlock_kb(t.proc.pid)
    now, cpu = time.monotonic(), cpu_seconds(t.proc.pid)
    cpu_prev, t_prev = prev
    return {"minute": round((now - t0) / 60, 2), "rss_kb": st["VmRSS"], "pss_kb": pss_kb(t.proc.pid),
            "load1": load_average(), "hwm_kb": st["VmHWM"],
            "anon_kb": st.get("RssAnon", 0), "threads": st.get("Threads", 0),
            "history_bytes": h.get("bytes", 0), "history_frames": h.get("frames", 0),
            "history_series": h.get("series", 0), "history_dropped": h.get("dropped_frames", 0),
            "metrics_series": t.metrics_series, "maps_kb": maps_kb, "maps": nmaps,
            "cpu_s": round(cpu, 2), "cpu_pct": 100 * (cpu - cpu_prev) / max(now - t_prev, 1e-9),
            "ws_messages": t.ws.messages, "heap_trims": h.get("heap_trims", 0),
            "heap_released_kb": h.get("heap_released_bytes", 0) // 1024,
            "load_errors": sum(v for k, v in load.counts.items() if k.endswith("_errors"))}, (cpu, now)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--sample-seconds", type=float, default=60)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--kscope", action="append", metavar="LABEL=PATH",
                    help="a binary to soak (repeat to run several side by side under the same load, "
                         "e.g. before=/tmp/old/kscope after=build/kscope); default: BUILD/kscope")
    ap.add_argument("--env", action="append", default=[], metavar="LABEL=VAR=VALUE",
                    help="an environment variable for one binary's kscope run (repeatable), e.g. "
                         "tcache=GLIBC_TUNABLES=glibc.malloc.tcache_count=7")
    ap.add_argument("--out", default="/tmp/soak")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("soak: needs root (kscope run loads BPF programs)")
    binaries = dict(k.split("=", 1) for k in args.kscope) if args.kscope else None
    os.makedirs(args.out, exist_ok=True)
    work, copies = prepare(args.build, args.out, binaries)
    envs = {}
    for spec in args.env:
        label, _, assignment = spec.partition("=")
        var, _, value = assignment.partition("=")
        envs.setdefault(label, {})[var] = value
    if set(envs) - set(copies):
        sys.exit(f"soak: --env for unknown labels {sorted(set(envs) - set(copies))}")
    targets = [Target(label, path, os.path.join(args.out, f"{label}.log"), envs.get(label))
               for label, path in copies.items()]
    for t in targets:
        if not t.wait_ready():
            for o in targets:
                o.stop()
            sys.exit(f"soak: {t.label} did not start (see {args.out}/{t.label}.log)")
    seconds = int(args.minutes * 60)
    load = Load(work, targets)
    # Interrupted (Ctrl-C, kill): the finally below still stops the load and
    # the kscopes, so nothing outlives the soak to skew the next run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run_and_summarize(args, targets, load, seconds, binaries)
    finally:
        load.stop()
        for t in targets:
            t.stop()


def run_and_summarize(args, targets, load, seconds, binaries):
    t0 = time.monotonic()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load.start(seconds + 30)
    csvs = {t.label: open(os.path.join(args.out, "soak.csv" if len(targets) == 1 else f"soak-{t.label}.csv"), "w")
            for t in targets}
    prev = {t.label: (cpu_seconds(t.proc.pid), time.monotonic()) for t in targets}
    for f in csvs.values():
        f.write(",".join(FIELDS) + "\n")
    next_sample = t0 + args.sample_seconds
    while next_sample <= t0 + seconds + 0.5 and any(t.exited is None for t in targets):
        time.sleep(max(0.0, next_sample - time.monotonic()))
        next_sample += args.sample_seconds
        for t in targets:
            if t.exited:
                continue
            if t.proc.poll() is not None:
                t.exited = f"exit status {t.proc.returncode} at minute {(time.monotonic() - t0) / 60:.1f}"
                continue
            row, prev[t.label] = sample(t, load, t0, prev[t.label])
            t.rows.append(row)
            f = csvs[t.label]
            f.write(",".join(f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in FIELDS) + "\n")
            f.flush()
            print(f"{t.label} minute {row['minute']:.1f}: RSS {row['rss_kb']} kB, history {row['history_bytes']} B "
                  f"({row['history_series']} series), /metrics {row['metrics_series']} lines, "
                  f"maps {row['maps_kb']} kB, cpu {row['cpu_pct']:.1f}%", flush=True)
    load.stop()
    for t in targets:
        t.stop()
    extra = {"started": started, "commit": commit, "envs": {t.label: t.env for t in targets if t.env}, "binaries": binaries or {"kscope": os.path.join(args.build, "kscope")},
             "counts": load.counts, "errors": load.errors}
    summary = summarize(targets, args, extra)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(summary)
    print(summary)
    return 1 if any(t.exited for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
