#!/usr/bin/env python3
"""What a syscall probe adds per syscall, A/B against other probes, on a host
too busy for bench/overhead.py's few long runs.

Every probe is loaded once (bench/floor/loader.c, detached); then, for many
rounds, each in turn (and "none") is attached, a short pinned getppid loop
runs, and it is detached again: a round takes well under a second, so the
load of the host moves little between the rows of one round. Reported per
probe: the median over the rounds of (ns per syscall with it minus with
nothing, same round), of the wall time and of the loop's CPU time.

    python3 bench/syscall_ab.py [--rounds 60] [--calls 200000] \\
        [--probe NAME=OBJECT:PROG,PROG[:VAR=VALUE,...]] ... [--floors]

--floors adds the steps of bench/floor/floor.bpf.c (floor, floor2,
floor-clock2, floor-storage2). A syscall probe object as kscope runs it:
    --probe kscope=build/bpf/syscalls.bpf.o:handle_sys_enter,handle_sys_exit:targ_breakdown=1
(bench/README.md gives the futex and idle tunables the agent also sets).
"""
import argparse
import os
import random
import resource
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overhead import FLOOR_MODES, ROOT, build_floor  # noqa: E402


class Loaded:
    """A loader process holding one probe, attached on demand."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv + ["--stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "loaded":
            raise RuntimeError(f"{argv} did not load")

    def _say(self, word):
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError("loader did not answer")

    def attach(self):
        self._say("a")

    def detach(self):
        self._say("d")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def loop(build, calls):
    """(wall ns, CPU ns) per getppid of one pinned run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["taskset", "-c", "1", os.path.join(build, "workloads", "getppid_loop"), str(calls)],
                         capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(out), cpu * 1e9 / calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--calls", type=int, default=200000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--probe", action="append", default=[], metavar="NAME=OBJECT:PROGS[:VAR=VALUE,...]")
    ap.add_argument("--floors", action="store_true")
    args = ap.parse_args()

    loader, floor_obj = build_floor(args.build)
    specs = []
    if args.floors:
        specs += [(name, [loader, floor_obj, progs]) for name, progs in FLOOR_MODES.items()]
    for p in args.probe:
        name, rest = p.split("=", 1)
        parts = rest.split(":")
        specs.append((name, [loader, parts[0], parts[1]] + (parts[2].split(",") if len(parts) > 2 else [])))
    probes = {name: Loaded(argv) for name, argv in specs}
    names = ["none"] + list(probes)
    rows = {n: [] for n in names}
    try:
        for r in range(args.rounds):
            order = names[:]
            random.shuffle(order)
            for n in order:
                if n != "none":
                    probes[n].attach()
                try:
                    rows[n].append(loop(args.build, args.calls))
                finally:
                    if n != "none":
                        probes[n].detach()
            if (r + 1) % 10 == 0:
                print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
    finally:
        for p in probes.values():
            p.close()

    print(f"\n{args.rounds} rounds of {args.calls} getppid calls pinned to CPU 1, probes in shuffled order "
          f"within a round; medians; `{' '.join(sys.argv)}`\n")
    print("| probe | wall ns | added (wall) | CPU ns | added (CPU) |")
    print("| --- | --- | --- | --- | --- |")
    for n in names:
        wall = statistics.median(x[0] for x in rows[n])
        cpu = statistics.median(x[1] for x in rows[n])
        dwall = statistics.median(a[0] - b[0] for a, b in zip(rows[n], rows["none"]))
        dcpu = statistics.median(a[1] - b[1] for a, b in zip(rows[n], rows["none"]))
        print(f"| {n} | {wall:.0f} | {dwall:+.0f} | {cpu:.0f} | {dcpu:+.0f} |")


if __name__ == "__main__":
    main()
