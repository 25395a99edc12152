#!/usr/bin/env bash
# How close the CPU budget's cost estimate comes to the truth (issue 19
# item 3): a getppid loop pinned to CPU 1, its CPU time (rusage) bare and
# with `kscope run` (syscall family only, budget.measure: true) attached;
# kscope's estimate for the same calls from the deltas of its own metrics
# over the loop: BPF run time + runs x the calibrated dispatch + syscalls x
# the calibrated slow path (each syscall runs the enter and exit programs).
#
#   sudo bench/budget_accuracy.sh [build-dir] [reps]
set -euo pipefail
build=${1:-build}
reps=${2:-3}
kscope=$build/kscope
loop=$build/workloads/getppid_loop
n=2000000
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
kp=
cleanup() { [[ -n $kp ]] && kill -INT "$kp" 2>/dev/null && wait "$kp" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
{
  echo "probes:"
  for p in sched offcpu profile tcp block exits l7; do printf '  %s:\n    enabled: false\n' "$p"; done
  printf 'budget:\n  measure: true\n'
} >"$tmp/kscope.yaml"

cpu_ns_per_call() {
  python3 - "$loop" "$n" <<'PY'
import resource, subprocess, sys
b = resource.getrusage(resource.RUSAGE_CHILDREN)
subprocess.run(["taskset", "-c", "1", sys.argv[1], sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
a = resource.getrusage(resource.RUSAGE_CHILDREN)
print((a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime) * 1e9 / int(sys.argv[2]))
PY
}
metric() {  # sum of the series whose name and labels start with $1
  curl -fsS "http://127.0.0.1:$port/metrics" | awk -v p="$1" 'index($1, p) == 1 {s += $2} END {printf "%.12g\n", s}'
}

echo "bare_ns true_added_ns bpf_only_ns estimate_ns error"
for _ in $(seq "$reps"); do
  bare=$(cpu_ns_per_call)
  "$kscope" run --config "$tmp/kscope.yaml" --listen "127.0.0.1:$port" --allow-second \
    --lock-file "$tmp/lock" --log-level warn >"$tmp/log" 2>&1 &
  kp=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1.2
  run0=$(metric 'kscope_bpf_program_run_seconds_total{')
  runs0=$(metric 'kscope_bpf_program_runs_total{')
  with=$(cpu_ns_per_call)
  sleep 1.2  # one more collection, so the counters include the whole loop
  run1=$(metric 'kscope_bpf_program_run_seconds_total{')
  runs1=$(metric 'kscope_bpf_program_runs_total{')
  slow=$(metric 'kscope_dispatch_cost_seconds{hook="syscall_slow_path"')
  disp=$(metric 'kscope_dispatch_cost_seconds{hook="syscall_tracepoint"')
  kill -INT "$kp"
  wait "$kp" || true
  kp=
  python3 - "$bare" "$with" "$run0" "$run1" "$runs0" "$runs1" "$slow" "$disp" "$n" <<'PY'
import sys
bare, w, run0, run1, runs0, runs1, slow, disp, n = map(float, sys.argv[1:])
true = w - bare
bpf = (run1 - run0) * 1e9 / n
runs = runs1 - runs0
est = bpf + (runs / 2 * slow + runs * disp) * 1e9 / n
print(f"{bare:.0f} {true:+.0f} {bpf:.0f} {est:.0f} {(est - true) / true * 100:+.0f}%")
PY
done
