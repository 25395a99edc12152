#!/usr/bin/env bash
# The syscall sampling mode (probes.syscalls.sampling, docs/sampling.md) on
# a known workload: steady_getppid makes exactly 2000 getppid calls a
# second, spread evenly.
#  1. exact mode: a 3 s run counts exactly 6000 calls, no series is marked.
#  2. sampling 1 s in 4 s: the kernel's own view (the link fds kscope holds
#     for handle_sys_enter/exit, read from /proc/PID/fdinfo and bpftool)
#     shows the programs attached about a quarter of the time and detached
#     the rest; kscope's attached gauge and ratio agree; the estimated rate
#     of getppid, read from the scaled counter over two periods, is within
#     5% of the truth (the error is printed; measured within 0.2%, with
#     both cores busy too: docs/sampling.md); every syscall series carries sampled="true" and
#     health shows the mode.
source "$(dirname "$0")/lib.sh"
require_root
command -v bpftool >/dev/null || skip "needs bpftool (Debian package bpftool)"
W="$KSCOPE_WORKLOAD_DIR"
[[ -x "$W/steady_getppid" ]] || fail "workload steady_getppid not built"
work_pid=""
cleanup() {
  [[ -n "$work_pid" ]] && kill_and_reap "$work_pid"
  stop_kscope
}
trap cleanup EXIT

RATE=2000
base_config() {  # [sampling]: probes.syscalls.sampling 1 s in 4 s
  echo "probes:"
  [[ "${1:-}" == sampling ]] && printf '  syscalls:\n    sampling: {enabled: true, attach_for: 1s, period: 4s}\n'
  cat <<'YAML'
  sched: {enabled: false}
  offcpu: {enabled: false}
  profile: {enabled: false}
  tcp: {enabled: false}
  block: {enabled: false}
  exits: {enabled: false}
resources: {host: false, cgroups: false}
export:
  histogram_targets: 1000
  histogram_syscalls: 1000
  counter_syscalls: 1000
YAML
}

# Prints "count uptime sampled" of getppid by steady_getppid in one scrape:
# the latency histogram's _count, the snapshot's own clock, and whether the
# series is marked.
getppid_count() {
  curl -fsS "$KSCOPE_URL/metrics" | python3 -c '
import re, sys
count, uptime, sampled = 0.0, None, "no"
for line in sys.stdin:
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line.strip())
    if not m:
        continue
    labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"", m.group(3) or ""))
    if m.group(1) == "kscope_uptime_seconds":
        uptime = float(m.group(4))
    if m.group(1) == "kscope_syscall_latency_seconds_count" and labels.get("syscall") == "getppid" \
            and labels.get("comm") == "steady_getppid":
        count += float(m.group(4))
        sampled = labels.get("sampled", "no")
print(count, uptime, sampled)
'
}

# --- 1. exact mode ------------------------------------------------------------
cfg=$(mktemp --suffix=.yaml)
base_config >"$cfg"
start_kscope --config "$cfg"
wait_probe_up syscalls
"$W/steady_getppid" "$RATE" 3 >/dev/null
exact_settled() {
  read -r count _ sampled < <(getppid_count)
  [[ "$sampled" == no ]] || { echo "exact mode marked the series sampled=$sampled"; return 1; }
  [[ "$count" == 6000.0 ]] || { echo "counted $count, not 6000"; return 1; }
}
settled 10 "exact mode" exact_settled
[[ $(curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["syscall_sampling"]["enabled"])') == False ]] ||
  fail "health shows sampling on in exact mode"
stop_kscope
echo "exact mode: 6000 of 6000"

# --- 2. sampling 1 s in 4 s ---------------------------------------------------
base_config sampling >"$cfg"
timeout 60 "$W/steady_getppid" "$RATE" 30 >/dev/null &
work_pid=$!
start_kscope --config "$cfg"
wait_probe_up syscalls

# The kernel's view for two periods: how often kscope holds links of its
# syscall programs, and how many times that changed.
read -r attached_share changes < <(python3 - "$KSCOPE_PID" <<'PY'
import os, subprocess, sys, time, json
pid = sys.argv[1]
names = {}
def prog_name(prog_id):
    if prog_id not in names:
        out = subprocess.run(["bpftool", "-j", "prog", "show", "id", prog_id], capture_output=True, text=True)
        names[prog_id] = json.loads(out.stdout).get("name", "") if out.returncode == 0 else ""
    return names[prog_id]
def syscall_links():
    n = 0
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            info = open(f"{d}/{fd}").read()
        except OSError:
            continue
        if "link_type:" not in info:
            continue
        fields = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
        if prog_name(fields.get("prog_id", "").strip()).startswith("handle_sys_e"):
            n += 1
    return n
samples, attached, changes, last = 0, 0, 0, None
end = time.monotonic() + 8
while time.monotonic() < end:
    on = syscall_links() > 0
    samples += 1
    attached += on
    if last is not None and on != last:
        changes += 1
    last = on
    time.sleep(0.05)
print(attached / samples, changes)
PY
)
echo "kernel view: syscall programs linked ${attached_share} of the time, ${changes} changes in 8 s"
in_range() {  # value low high what
  python3 -c "import sys; v,lo,hi=map(float,sys.argv[1:4]); sys.exit(0 if lo <= v <= hi else 1)" "$1" "$2" "$3" ||
    fail "$4: $1 is not within $2..$3"
}
in_range "$attached_share" 0.12 0.45 "share of samples with the syscall programs linked (1 s in 4 s)"
((changes >= 2)) || fail "the syscall programs' links changed $changes times in two periods"

# Two scrapes two periods apart, once two windows have closed (the first
# window only sets the base, the second is spread over the next period).
sleep 2
read -r c1 u1 sampled < <(getppid_count)
[[ "$sampled" == true ]] || fail "the getppid series is not marked sampled=\"true\" (got $sampled)"
sleep 8
read -r c2 u2 _ < <(getppid_count)
kill -0 "$work_pid" 2>/dev/null || fail "the workload ended before the second scrape"
estimate=$(python3 -c "import sys; c1,u1,c2,u2=map(float,sys.argv[1:]); print((c2-c1)/(u2-u1))" "$c1" "$u1" "$c2" "$u2")
error=$(python3 -c "import sys; print(round(100*(float(sys.argv[1])/$RATE-1), 2))" "$estimate")
echo "sampling 1 s in 4 s: estimated ${estimate} getppid/s over $(python3 -c "print(round($u2-$u1,2))") s, truth ${RATE}/s: error ${error}%"
in_range "$estimate" $((RATE * 95 / 100)) $((RATE * 105 / 100)) "estimated getppid rate (truth $RATE/s)"

metrics=$(curl -fsS "$KSCOPE_URL/metrics")
unmarked=$(grep -E '^kscope_(syscall_latency_seconds|syscalls_total|syscall_seconds_total|syscall_errors_total|syscall_bytes_total)' <<<"$metrics" |
  grep -vc 'sampled="true"' || true)
((unmarked == 0)) || fail "$unmarked syscall series without sampled=\"true\""
grep -q '^kscope_syscalls_total{.*sampled="true"' <<<"$metrics" || fail "kscope_syscalls_total is not marked"
ratio=$(grep '^kscope_syscall_sampling_attached_ratio ' <<<"$metrics" | awk '{print $2}')
in_range "${ratio:-0}" 0.2 0.32 "kscope_syscall_sampling_attached_ratio"
cycles=$(grep '^kscope_syscall_sampling_cycles_total ' <<<"$metrics" | awk '{print $2}')
in_range "${cycles:-0}" 3 10 "kscope_syscall_sampling_cycles_total after ~14 s"
failures=$(grep '^kscope_syscall_sampling_attach_failures_total ' <<<"$metrics" | awk '{print $2}')
[[ "$failures" == 0 ]] || fail "attach failures: $failures"
curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c '
import json, sys
s = json.load(sys.stdin)["syscall_sampling"]
assert s["enabled"] and s["attach_for_seconds"] == 1 and s["period_seconds"] == 4, s
assert "kscope_syscalls_total" in s["estimated_families"], s
' || fail "health does not show the sampling mode"
echo "PASS"
