#!/usr/bin/env python3
"""Side-by-side overhead of kscope and its peers on the same workloads.

For each workload (a tight getppid loop: ns per syscall; a same-CPU pipe
ping-pong: ns per round trip) and each tool (nothing attached, kscope
variants, libbpf-tools peers, bpftrace), runs the workload pinned to CPU 1
while the tool is attached, in shuffled interleaved order, REPS times, and
reports medians, the ns added over "nothing", ratios to the peers, the tool's
RSS and time to attach.

    python3 bench/overhead.py [--reps 5] [--tools none,kscope-syscalls,syscount]
                              [--workloads syscall,pingpong] [--build build]
"""
import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kscope_config(build, enabled, extra=""):
    """Writes a config enabling only the named probe families."""
    probes = ["syscalls", "sched", "offcpu", "profile", "tcp"]
    lines = ["probes:"]
    for p in probes:
        lines += [f"  {p}:", f"    enabled: {'true' if p in enabled else 'false'}"]
    path = os.path.join(build, f"bench-{'-'.join(enabled) or 'none'}.yaml")
    with open(path, "w") as f:
        f.write(extra + "\n".join(lines) + "\n")
    return path


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Tool:
    """A process that attaches probes; started before and stopped after a run."""

    def __init__(self, name, argv, ready, note=""):
        self.name, self.argv, self.ready, self.note = name, argv, ready, note
        self.proc = None
        self.attach_seconds = None
        self.rss_kb = None

    def start(self):
        if not self.argv:
            return
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=os.setsid)
        self.ready(self)
        self.attach_seconds = time.monotonic() - t0

    def stop(self):
        if not self.proc:
            return
        self.rss_kb = rss_kb(self.proc.pid)
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


def rss_kb(pid):
    """RSS and peak RSS (VmHWM) of pid and its children, in kB."""
    total = [0, 0]
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total[0] += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        total[1] += int(line.split()[1])
        except OSError:
            pass
    return total


def wait_http(url, timeout=15):
    def ready(tool):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{tool.name} did not become ready")
    return ready


def wait_new_bpf_progs(count, timeout=30):
    """Ready when `count` more BPF programs are loaded than before start."""
    before = bpf_prog_ids()

    def ready(tool):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(bpf_prog_ids() - before) >= count:
                time.sleep(0.3)  # attach follows load
                return
            if tool.proc.poll() is not None:
                raise RuntimeError(f"{tool.name} exited with {tool.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError(f"{tool.name} did not load its programs")
    return ready


def bpf_prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "list"], capture_output=True, text=True).stdout
    try:
        return {p["id"] for p in json.loads(out)}
    except ValueError:
        return set()


def make_tools(build, names):
    kscope = os.path.join(build, "kscope")
    tools = {}

    def ks(name, enabled):
        port = free_port()
        cfg = kscope_config(build, enabled)
        tools[name] = lambda: Tool(name, [kscope, "run", "--config", cfg, "--listen", f"127.0.0.1:{port}",
                                          "--log-level", "warn"],
                                   wait_http(f"http://127.0.0.1:{port}/api/v1/health"))

    tools["none"] = lambda: Tool("none", None, None)
    ks("kscope", ["syscalls", "sched", "offcpu", "profile", "tcp"])
    ks("kscope-syscalls", ["syscalls"])
    ks("kscope-sched", ["sched"])
    ks("kscope-offcpu", ["offcpu"])
    ks("kscope-profile", ["profile"])
    ks("kscope-tcp", ["tcp"])
    # Stacks like for like with offcputime and perf: `kscope run` keys off-CPU
    # time and CPU samples by target alone; the recorders keep stacks.
    for name, command, progs in (("kscope-offcpu-stacks", "offcpu", 3), ("kscope-profile-stacks", "profile", 1)):
        tools[name] = (lambda name=name, command=command, progs=progs:
                       Tool(name, [kscope, command, "-d", "10m", "-q", "-o", "-"], wait_new_bpf_progs(progs)))
    tools["syscount"] = lambda: Tool("syscount", ["syscount", "-L"], wait_new_bpf_progs(2))
    tools["runqlat"] = lambda: Tool("runqlat", ["runqlat", "60"], wait_new_bpf_progs(3))
    tools["offcputime"] = lambda: Tool("offcputime", ["offcputime", "-m", "1000", "60"], wait_new_bpf_progs(1))
    tools["bpftrace"] = lambda: Tool(
        "bpftrace", ["bpftrace", "-e",
                     "tracepoint:raw_syscalls:sys_enter { @s[tid] = nsecs; } "
                     "tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @lat = hist(nsecs - @s[tid]); delete(@s[tid]); }"],
        wait_new_bpf_progs(2))
    tools["perf"] = lambda: Tool("perf", ["perf", "record", "-F", "99", "-g", "-a", "-o", "/dev/null"],
                                 lambda t: time.sleep(2))
    return [(n, tools[n]) for n in names]


WORKLOADS = {
    "syscall": (["getppid_loop", "2000000"], "ns/syscall"),
    "pingpong": (["pingpong", "100000"], "ns/round trip"),
}


def run_workload(build, workload):
    argv, _ = WORKLOADS[workload]
    out = subprocess.run(["taskset", "-c", "1", os.path.join(build, "workloads", argv[0])] + argv[1:],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def ensure_tracefs():
    if not os.path.exists("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"], check=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--tools", default="none,kscope-syscalls,syscount,bpftrace")
    ap.add_argument("--workloads", default="syscall")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json", help="also write raw results here")
    args = ap.parse_args()
    ensure_tracefs()
    names = args.tools.split(",")
    workloads = args.workloads.split(",")
    tools = make_tools(args.build, names)

    results = {(t, w): [] for t in names for w in workloads}
    meta = {t: {"rss_kb": [], "attach_s": []} for t in names}
    order = [(i, n, f) for i in range(args.reps) for n, f in tools]
    for rep in range(args.reps):
        batch = [(n, f) for i, n, f in order if i == rep]
        random.shuffle(batch)
        for name, factory in batch:
            tool = factory()
            tool.start()
            try:
                for w in workloads:
                    results[(name, w)].append(run_workload(args.build, w))
            finally:
                tool.stop()
            if tool.rss_kb:
                meta[name]["rss_kb"].append(tool.rss_kb)
            if tool.attach_seconds is not None:
                meta[name]["attach_s"].append(tool.attach_seconds)
            print(f"rep {rep + 1}/{args.reps} {name}: " +
                  ", ".join(f"{w} {results[(name, w)][-1]:.0f}" for w in workloads), file=sys.stderr)

    print(f"\n{args.reps} interleaved repetitions, medians; workload pinned to CPU 1; "
          f"`{' '.join(sys.argv)}`\n")
    for w in workloads:
        unit = WORKLOADS[w][1]
        base = statistics.median(results[("none", w)]) if "none" in names else 0.0
        print(f"| {w} ({unit}) | median | added | RSS MB | peak MB | attach s |")
        print("| --- | --- | --- | --- | --- | --- |")
        for n in names:
            med = statistics.median(results[(n, w)])
            rss = meta[n]["rss_kb"]
            rss_s = f"{statistics.median(r[0] for r in rss) / 1024:.1f}" if rss else "-"
            peak_s = f"{statistics.median(r[1] for r in rss) / 1024:.1f}" if rss else "-"
            att = meta[n]["attach_s"]
            att_s = f"{statistics.median(att):.2f}" if att else "-"
            print(f"| {n} | {med:.0f} | {med - base:+.0f} | {rss_s} | {peak_s} | {att_s} |")
        print()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{t}/{w}": v for (t, w), v in results.items()}, f, indent=1)


if __name__ == "__main__":
    main()
