#!/usr/bin/env python3
"""Side-by-side overhead of kscope and its peers on the same workloads.

For each workload (a tight getppid loop: ns per syscall; a same-CPU pipe
ping-pong: ns per round trip; nginx serving a static file to `ab -k`: the
worker's CPU per request) and each tool (nothing attached, kscope
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
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kscope_config(build, enabled, extra="", sampling=None):
    """Writes a config enabling only the named probe families; sampling:
    (on, period) puts the syscall family in sampling mode (docs/sampling.md)."""
    probes = ["syscalls", "sched", "offcpu", "profile", "tcp", "block", "exits", "l7"]
    lines = ["probes:"]
    for p in probes:
        lines += [f"  {p}:", f"    enabled: {'true' if p in enabled else 'false'}"]
        if p == "syscalls" and sampling:
            lines += [f"    sampling: {{enabled: true, attach_for: {sampling[0]}, period: {sampling[1]}}}"]
    suffix = f"-sampled-{sampling[0]}-{sampling[1]}" if sampling else ""
    path = os.path.join(build, f"bench-{'-'.join(enabled) or 'none'}{suffix}.yaml")
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


def bpf_prog_stats():
    """{id: (name, run_time_ns, run_cnt)} of every loaded program."""
    out = subprocess.run(["bpftool", "-j", "prog", "list"], capture_output=True, text=True).stdout
    try:
        return {p["id"]: (p.get("name", "?"), p.get("run_time_ns", 0), p.get("run_cnt", 0))
                for p in json.loads(out)}
    except ValueError:
        return {}


def bpf_prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "list"], capture_output=True, text=True).stdout
    try:
        return {p["id"] for p in json.loads(out)}
    except ValueError:
        return set()


def make_tools(build, names):
    kscope = os.path.join(build, "kscope")
    tools = {}

    def ks(name, enabled, sampling=None):
        port = free_port()
        cfg = kscope_config(build, enabled, sampling=sampling)
        tools[name] = lambda: Tool(name, [kscope, "run", "--config", cfg, "--listen", f"127.0.0.1:{port}",
                                          "--log-level", "warn"],
                                   wait_http(f"http://127.0.0.1:{port}/api/v1/health"))

    tools["none"] = lambda: Tool("none", None, None)
    # `kscope run` as installed: every family on by default.
    ks("kscope", ["syscalls", "sched", "offcpu", "profile", "tcp", "block", "exits"])
    ks("kscope-l7", ["syscalls", "sched", "offcpu", "profile", "tcp", "block", "exits", "l7"])
    ks("kscope-syscalls", ["syscalls"])
    # Sampling mode, 1 s in 10 s: run it with a workload that spans many
    # periods (syscall-long), or the phase of the period decides the result.
    ks("kscope-syscalls-sampled", ["syscalls"], sampling=("1s", "10s"))
    ks("kscope-sched", ["sched"])
    ks("kscope-offcpu", ["offcpu"])
    ks("kscope-profile", ["profile"])
    ks("kscope-tcp", ["tcp"])
    # Stacks like for like with offcputime and perf: `kscope run` keys off-CPU
    # time and CPU samples by target alone; the recorders keep stacks.
    for name, command, progs in (("kscope-offcpu-stacks", "offcpu", 3), ("kscope-profile-stacks", "profile", 1)):
        tools[name] = (lambda name=name, command=command, progs=progs:
                       Tool(name, [kscope, command, "-d", "10m", "-q", "-o", "-"], wait_new_bpf_progs(progs)))
    # The floor and the steps up from it (bench/floor/floor.bpf.c says what
    # each mode does): tp_btf programs like kscope's.
    for name, progs in FLOOR_MODES.items():
        tools[name] = (lambda name=name, progs=progs:
                       Tool(name, list(build_floor(build)) + [progs], wait_new_bpf_progs(progs.count(",") + 1)))
    # syscount counts per syscall on exit (one program); -L adds an enter
    # program and a latency sum, keyed by thread id in a hash.
    tools["syscount"] = lambda: Tool("syscount", ["syscount"], wait_new_bpf_progs(1))
    tools["syscount-L"] = lambda: Tool("syscount-L", ["syscount", "-L"], wait_new_bpf_progs(2))
    tools["runqlat"] = lambda: Tool("runqlat", ["runqlat", "60"], wait_new_bpf_progs(3))
    tools["offcputime"] = lambda: Tool("offcputime", ["offcputime", "-m", "1000", "60"], wait_new_bpf_progs(1))
    tools["bpftrace"] = lambda: Tool(
        "bpftrace", ["bpftrace", "-e",
                     "tracepoint:raw_syscalls:sys_enter { @s[tid] = nsecs; } "
                     "tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @lat = hist(nsecs - @s[tid]); delete(@s[tid]); }"],
        wait_new_bpf_progs(2))
    tools["bpftrace-count"] = lambda: Tool(
        "bpftrace-count", ["bpftrace", "-e", "tracepoint:raw_syscalls:sys_exit { @[args->id] = count(); }"],
        wait_new_bpf_progs(1))
    tools["perf"] = lambda: Tool("perf", ["perf", "record", "-F", "99", "-g", "-a", "-o", "/dev/null"],
                                 lambda t: time.sleep(2))
    return [(n, tools[n]) for n in names]


# The steps of bench/floor/floor.bpf.c: name -> its programs.
FLOOR_MODES = {
    "floor": "empty_enter",
    "floor2": "empty_enter,empty_exit",
    "floor-clock2": "clock_enter,clock_exit",
    "floor-storage2": "storage_enter,storage_exit",
}


def build_floor(build):
    """Builds bench/floor into BUILD/bench/floor when its sources are newer;
    returns (loader, floor.bpf.o)."""
    out = os.path.join(build, "bench", "floor")
    obj, exe = os.path.join(out, "floor.bpf.o"), os.path.join(out, "loader")
    src = os.path.join(ROOT, "bench", "floor")
    arch = {"x86_64": "x86", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
    newest = max(os.path.getmtime(os.path.join(src, f)) for f in os.listdir(src))
    if not os.path.exists(exe) or os.path.getmtime(exe) < newest:
        os.makedirs(out, exist_ok=True)
        subprocess.run(["clang", "-target", "bpf", "-mcpu=v3", "-g", "-O2", "-Wall", "-Werror",
                        f"-D__TARGET_ARCH_{arch}", "-I", os.path.join(ROOT, "vmlinux", arch),
                        "-c", os.path.join(src, "floor.bpf.c"), "-o", obj], check=True)
        subprocess.run(["cc", "-O2", "-Wall", "-Werror", os.path.join(src, "loader.c"), "-lbpf", "-o", exe],
                       check=True)
    return exe, obj


WORKLOADS = {
    "syscall": (["getppid_loop", "2000000"], "ns/syscall"),
    # Long enough (tens of seconds) to average over the sampling mode's periods.
    "syscall-long": (["getppid_loop", "100000000"], "ns/syscall"),
    "pingpong": (["pingpong", "100000"], "ns/round trip"),
    # nginx (one worker on CPU 0) serving a 612-byte static file to `ab -k`
    # on CPU 1: the worker's CPU per request, which is what an agent adds to
    # a busy server's bill.
    "nginx": (None, "ns/request, nginx worker"),
}
NGINX_REQUESTS = 50000


class Nginx:
    """One nginx for the whole run (started on first use): a worker pinned
    to CPU 0, keep-alive without limit, sendfile on, no access log."""
    proc = None
    port = None
    worker = None
    tmp = None

    @classmethod
    def start(cls):
        if cls.proc:
            return
        import atexit
        import tempfile
        cls.tmp = tempfile.mkdtemp(prefix="kscope-bench-nginx-")
        os.chmod(cls.tmp, 0o755)  # the worker runs as nginx's unprivileged user
        cls.port = free_port()
        with open(os.path.join(cls.tmp, "index.html"), "w") as f:
            f.write("<!DOCTYPE html>\n" + "x" * 595 + "\n")
        t = cls.tmp
        with open(os.path.join(t, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 1;
worker_cpu_affinity 0001;
daemon off;
pid {t}/nginx.pid;
error_log {t}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 10000000;
  client_body_temp_path {t}/body; proxy_temp_path {t}/proxy; fastcgi_temp_path {t}/fastcgi;
  uwsgi_temp_path {t}/uwsgi; scgi_temp_path {t}/scgi;
  server {{ listen 127.0.0.1:{cls.port}; root {t}; }}
}}
""")
        cls.proc = subprocess.Popen(["taskset", "-c", "0", "/usr/sbin/nginx", "-p", t, "-c", f"{t}/nginx.conf",
                                     "-e", f"{t}/error.log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(cls.stop)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kids = subprocess.run(["pgrep", "-P", str(cls.proc.pid)], capture_output=True, text=True).stdout.split()
            if kids:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{cls.port}/index.html", timeout=1).read()
                    cls.worker = int(kids[0])
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    @classmethod
    def stop(cls):
        if cls.proc:
            cls.proc.terminate()
            cls.proc.wait()
            cls.proc = None
            subprocess.run(["rm", "-rf", cls.tmp])

    @classmethod
    def worker_cpu_ns(cls):
        """The worker's time on a CPU, in ns (schedstat: finer than the
        clock ticks of /proc/PID/stat)."""
        with open(f"/proc/{cls.worker}/schedstat") as f:
            return int(f.read().split()[0])


def run_nginx():
    Nginx.start()
    n = NGINX_REQUESTS
    cpu0 = Nginx.worker_cpu_ns()
    t0 = time.monotonic()
    out = subprocess.run(["taskset", "-c", "1", "ab", "-q", "-k", "-c", "4", "-n", str(n),
                          f"http://127.0.0.1:{Nginx.port}/index.html"], capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - t0
    cpu = Nginx.worker_cpu_ns() - cpu0
    if "Failed requests:        0" not in out or f"Complete requests:      {n}" not in out:
        raise RuntimeError("ab did not complete every request:\n" + out)
    return wall * 1e9 / n, cpu / n


def run_workload(build, workload):
    """(wall ns per operation as the workload prints it, CPU ns per operation).

    The CPU time is the workload's own (user + system, from its rusage): on a
    host shared with other work the wall time also counts the time the
    workload waited for its CPU, the CPU time does not (the scheduler's clock
    leaves out time stolen by the hypervisor)."""
    argv, _ = WORKLOADS[workload]
    if workload == "nginx":
        return run_nginx()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["taskset", "-c", "1", os.path.join(build, "workloads", argv[0])] + argv[1:],
                         capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(out.strip()), cpu_s * 1e9 / int(argv[1])


def ensure_tracefs():
    if not os.path.exists("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"], check=False)


def bpf_stats_pass(args, tools, workloads):
    """Per program of each tool: ns per run and runs over a workload, medians
    of the repetitions; where the time goes, program by program."""
    old = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    per = {}  # (tool, workload, program) -> [(ns per run, runs)]
    try:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write("1")
        for rep in range(args.reps):
            batch = list(tools)
            random.shuffle(batch)
            for name, factory in batch:
                before = bpf_prog_ids()
                tool = factory()
                tool.start()
                try:
                    for w in workloads:
                        a = {i: v for i, v in bpf_prog_stats().items() if i not in before}
                        run_workload(args.build, w)
                        b = bpf_prog_stats()
                        for i, (prog, t0, n0) in a.items():
                            if i in b and b[i][2] > n0:
                                runs = b[i][2] - n0
                                per.setdefault((name, w, prog), []).append(((b[i][1] - t0) / runs, runs))
                finally:
                    tool.stop()
                print(f"rep {rep + 1}/{args.reps} {name}", file=sys.stderr)
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(old)
    print(f"\nBPF run time per program, kernel.bpf_stats_enabled=1, medians of {args.reps}; "
          f"`{' '.join(sys.argv)}`\n")
    print("| tool | workload | program | ns per run | runs |")
    print("| --- | --- | --- | --- | --- |")
    for (tool, w, prog), v in sorted(per.items()):
        print(f"| {tool} | {w} | {prog} | {statistics.median(x[0] for x in v):.0f} | "
              f"{statistics.median(x[1] for x in v):.0f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--tools", default="none,kscope-syscalls,syscount,bpftrace")
    ap.add_argument("--workloads", default="syscall")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json", help="also write raw results here")
    ap.add_argument("--cmd", action="append", default=[], metavar="NAME:PROGS:COMMAND",
                    help="one more tool: COMMAND, ready when it has loaded PROGS BPF programs "
                         "(a variant under test beside the others); name it in --tools too")
    ap.add_argument("--bpf-stats", action="store_true",
                    help="instead: kernel.bpf_stats_enabled=1 and the ns per run of each tool's programs "
                         "(the statistics add two clock reads per run, so the timings are not comparable)")
    args = ap.parse_args()
    ensure_tracefs()
    names = args.tools.split(",")
    workloads = args.workloads.split(",")
    tools = make_tools(args.build, [n for n in names if n not in {c.split(":", 2)[0] for c in args.cmd}])
    for spec in args.cmd:
        cname, progs, command = spec.split(":", 2)
        tools.append((cname, lambda cname=cname, progs=int(progs), command=command:
                      Tool(cname, shlex.split(command), wait_new_bpf_progs(progs))))

    if args.bpf_stats:
        bpf_stats_pass(args, tools, workloads)
        return
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
                  ", ".join(f"{w} {results[(name, w)][-1][0]:.0f} (CPU {results[(name, w)][-1][1]:.0f})"
                            for w in workloads), file=sys.stderr)

    print(f"\n{args.reps} interleaved repetitions, medians; workload pinned to CPU 1; "
          f"`{' '.join(sys.argv)}`\n")
    for w in workloads:
        unit = WORKLOADS[w][1]
        wall = {n: statistics.median(r[0] for r in results[(n, w)]) for n in names}
        cpu = {n: statistics.median(r[1] for r in results[(n, w)]) for n in names}
        base = (wall["none"], cpu["none"]) if "none" in names else (0.0, 0.0)
        print(f"| {w} ({unit}) | median | added | CPU | CPU added | RSS MB | peak MB | attach s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for n in names:
            rss = meta[n]["rss_kb"]
            rss_s = f"{statistics.median(r[0] for r in rss) / 1024:.1f}" if rss else "-"
            peak_s = f"{statistics.median(r[1] for r in rss) / 1024:.1f}" if rss else "-"
            att = meta[n]["attach_s"]
            att_s = f"{statistics.median(att):.2f}" if att else "-"
            print(f"| {n} | {wall[n]:.0f} | {wall[n] - base[0]:+.0f} | {cpu[n]:.0f} | {cpu[n] - base[1]:+.0f} | "
                  f"{rss_s} | {peak_s} | {att_s} |")
        print()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{t}/{w}": [{"wall_ns": r[0], "cpu_ns": r[1]} for r in v] for (t, w), v in results.items()},
                      f, indent=1)


if __name__ == "__main__":
    main()
