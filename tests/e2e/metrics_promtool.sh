#!/usr/bin/env bash
# `kscope run` end to end: a workload with known syscalls shows up in
# /metrics with exact counts, and the exposition passes `promtool check metrics`.
source "$(dirname "$0")/lib.sh"
require_root
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
trap stop_kscope EXIT
cfg=$(mktemp --suffix=.yaml)
# No folding into "other" (export:): every (syscall, comm) keeps its own
# series, so exact counts can be read per syscall of the workload.
printf 'budget:\n  measure: true\nexport:\n  histogram_targets: 1000\n  histogram_syscalls: 1000\n  counter_syscalls: 1000\n' >"$cfg"
start_kscope --config "$cfg"
holds_bpf_stats "$KSCOPE_PID" || fail "budget.measure: true did not turn BPF run-time statistics on"

comm="kse2e$$"
"$KSCOPE_WORKLOAD_DIR/syscall_workload" "$comm" 40 2000
wait_interval
metrics=$(mktemp)
curl -fsS "$KSCOPE_URL/metrics" >"$metrics"

# nanosleep is an idle wait: its series carry idle="true".
count=$(grep -E "^kscope_syscall_latency_seconds_count\{syscall=\"nanosleep\",comm=\"$comm\",idle=\"true\"\} " "$metrics" | awk '{print $2}')
[[ "$count" == "40" ]] || fail "nanosleep count for $comm is '$count', want 40"
# 2 ms sleeps: never at or below 1 ms (the kernel sleeps at least that
# long); most at or below 5 ms and all below 100 ms even on a loaded machine.
bucket() {
  grep -E "^kscope_syscall_latency_seconds_bucket\{syscall=\"nanosleep\",comm=\"$comm\",idle=\"true\",le=\"$1\"\} " "$metrics" | awk '{print $2}'
}
le1=$(bucket 0.001) le5=$(bucket 0.005) le100=$(bucket 0.1)
[[ "$le1" == "0" && "$le5" -ge 20 && "$le100" == "40" ]] ||
  fail "2 ms sleeps in the wrong buckets: le=1ms $le1, le=5ms $le5, le=100ms $le100"
calls=$(grep -E "^kscope_syscalls_total\{syscall=\"nanosleep\",comm=\"$comm\",idle=\"true\"\} " "$metrics" | awk '{print $2}')
[[ "$calls" == "40" ]] || fail "kscope_syscalls_total of nanosleep for $comm is '$calls', want 40"
errors=$(grep -E "^kscope_syscall_errors_total\{syscall=\"openat\",errno=\"ENOENT\",comm=\"$comm\"\} " "$metrics" | awk '{print $2}')
[[ "$errors" == "40" ]] || fail "openat ENOENT count for $comm is '$errors', want 40"
grep -q '^kscope_probe_up{probe="syscalls"} 1$' "$metrics" || fail "kscope_probe_up for syscalls is not 1"
grep -q '^kscope_build_info{version="' "$metrics" || fail "no kscope_build_info"
grep -q '^kscope_bpf_program_runs_total{probe="syscalls",program="handle_sys_exit"} [1-9]' "$metrics" ||
  fail "no BPF run counts"

lint=$(promtool_check "$metrics") || fail "promtool check metrics rejected /metrics: $lint"
series=$(grep -vc '^#' "$metrics")
echo "ok: exact counts, promtool accepts $series series"
