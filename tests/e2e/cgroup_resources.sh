#!/usr/bin/env bash
# Per-cgroup resources (userspace/cgroups) end to end, against the kernel's
# own cgroup files, read by the real agent after it dropped its capabilities:
#  - a cgroup named like a systemd service, limited to 10% of a CPU, runs a
#    busy loop for 3 s: kscope reports it throttled (throttled seconds > 0,
#    throttled/periods >= 0.7), labelled service="kscope-test-PID.service",
#    with the cpu limit 0.1 and every figure equal to the cgroup's files;
#  - a memory cgroup limited to 8 MiB OOM-kills mem_hog: oom_kill goes from
#    0 to exactly 1 for that cgroup, and memory_limit_bytes equals the file;
#  - `kscope check` lists the cgroup sources.
# cgroup v1 controllers (this hybrid host) or cgroup v2, whichever mounts hold them.
source "$(dirname "$0")/lib.sh"
require_root
burner="$KSCOPE_WORKLOAD_DIR/cpu_burner"
hog="$KSCOPE_WORKLOAD_DIR/mem_hog"
[[ -x "$burner" && -x "$hog" ]] || fail "missing workloads in $KSCOPE_WORKLOAD_DIR"

unified=$(cgroup2_mount)
cpu_v1=$(cgroup_v1_mount cpu) cpuacct_v1=$(cgroup_v1_mount cpuacct) mem_v1=$(cgroup_v1_mount memory)
svc="kscope-test-$$.service"
oom="kscope-oom-$$"
dirs=()
cleanup() {
  stop_kscope
  local d
  for d in "${dirs[@]}"; do
    # Whatever is left in the cgroup (a burner waiting on stdin) goes first.
    [[ -f "$d/cgroup.procs" ]] && for p in $(cat "$d/cgroup.procs"); do kill -9 "$p" 2>/dev/null || true; done
  done
  sleep 0.2
  for d in "${dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done
}
trap cleanup EXIT

if [[ -n "$cpu_v1" && -n "$mem_v1" ]]; then
  v=1
  mkdir "$cpu_v1/$svc" "$mem_v1/$oom"
  dirs+=("$cpu_v1/$svc" "$mem_v1/$oom")
  cpu_procs=("$cpu_v1/$svc/cgroup.procs")
  if [[ -n "$cpuacct_v1" && "$cpuacct_v1" != "$cpu_v1" ]]; then
    mkdir "$cpuacct_v1/$svc"
    dirs+=("$cpuacct_v1/$svc")
    cpu_procs+=("$cpuacct_v1/$svc/cgroup.procs")
  fi
  echo 100000 >"$cpu_v1/$svc/cpu.cfs_period_us"
  echo 10000 >"$cpu_v1/$svc/cpu.cfs_quota_us"
  echo $((8 << 20)) >"$mem_v1/$oom/memory.limit_in_bytes"
  mem_limit_file="$mem_v1/$oom/memory.limit_in_bytes"
  oom_file="$mem_v1/$oom/memory.oom_control"
  cpu_stat="$cpu_v1/$svc/cpu.stat"
elif [[ -n "$unified" ]] && grep -qw cpu "$unified/cgroup.controllers" && grep -qw memory "$unified/cgroup.controllers"; then
  v=2
  echo "+cpu +memory" >"$unified/cgroup.subtree_control" || skip "cannot enable cpu and memory in $unified"
  mkdir "$unified/$svc" "$unified/$oom"
  dirs+=("$unified/$svc" "$unified/$oom")
  cpu_procs=("$unified/$svc/cgroup.procs")
  echo "10000 100000" >"$unified/$svc/cpu.max"
  echo $((8 << 20)) >"$unified/$oom/memory.max"
  mem_limit_file="$unified/$oom/memory.max"
  oom_file="$unified/$oom/memory.events"
  cpu_stat="$unified/$svc/cpu.stat"
else
  skip "no cgroup v1 cpu+memory hierarchies and no cgroup2 with cpu and memory"
fi
echo "cgroup v$v: $svc, $oom"

check=$("$KSCOPE" check 2>&1) || true
grep -Eq '^cgroup memory +ok +memory controller: cgroup v' <<<"$check" || fail "kscope check: no cgroup.memory source: $check"
grep -Eq '^cgroup pressure ' <<<"$check" || fail "kscope check: no cgroup.pressure line: $check"

start_kscope
grep -q "capabilities dropped" "$KSCOPE_LOG" || fail "the agent did not drop its capabilities: $(cat "$KSCOPE_LOG")"

# The figures of one cgroup as JSON: {family: {extra-labels: value}}, and its label set.
scrape() {  # cgroup-path
  curl -fsS "$KSCOPE_URL/metrics" | python3 -c '
import json, re, sys
want = sys.argv[1]
out = {}
for line in sys.stdin:
    m = re.match(r"^(kscope_cgroup_\w+)\{(.*)\} (\S+)$", line)
    if not m: continue
    labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"", m.group(2)))
    if labels.get("cgroup") != want: continue
    extra = ",".join(f"{k}={v}" for k, v in labels.items() if k not in ("cgroup", "service", "container_id", "pod_uid"))
    out.setdefault(m.group(1), {})[extra] = float(m.group(3))
    out["_labels"] = {k: labels.get(k) for k in ("cgroup", "service", "container_id", "pod_uid")}
print(json.dumps(out))
' "$1"
}

# --- CPU throttling.
sleep 1.5  # the new cgroups are found by the next interval (/proc/cgroups moved)
( sleep 8 ) | sh -c 'for f in "$@"; do echo $$ >"$f"; done; exec "'"$burner"'" 3 >/dev/null' sh "${cpu_procs[@]}" &
feeder=$!
sleep 3.3
wait_interval 2.5
got=$(scrape "/$svc")
files="$(cat "$cpu_stat")"
[[ $v == 1 ]] && usage=$(cat "${cpu_procs[-1]%/cgroup.procs}/cpuacct.usage") || usage=""
echo "kscope: $got"
echo "files: $files usage=$usage"
python3 - "$got" "$files" "$v" "$usage" "$svc" <<'PY' || fail "throttling figures wrong"
import json, sys
got, files, v, usage, svc = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
stat = dict(l.split() for l in files.strip().splitlines())
one = lambda fam: got[fam][""]
assert got["_labels"]["service"] == svc, got["_labels"]
assert got["_labels"]["container_id"] == "" and got["_labels"]["pod_uid"] == "", got["_labels"]
periods, throttled = one("kscope_cgroup_cpu_periods_total"), one("kscope_cgroup_cpu_throttled_periods_total")
tsec = one("kscope_cgroup_cpu_throttled_seconds_total")
# The burner stopped seconds ago: the files no longer move, so equal exactly.
assert periods == int(stat["nr_periods"]), (periods, stat)
assert throttled == int(stat["nr_throttled"]), (throttled, stat)
ft = int(stat["throttled_time"]) / 1e9 if v == "1" else int(stat["throttled_usec"]) / 1e6
assert abs(tsec - ft) < 1e-6, (tsec, ft)
assert tsec > 0 and periods >= 20, (tsec, periods)
assert throttled / periods >= 0.7, f"throttled {throttled} of {periods} periods"
assert abs(one("kscope_cgroup_cpu_limit_cores") - 0.1) < 1e-9, got["kscope_cgroup_cpu_limit_cores"]
cpu = one("kscope_cgroup_cpu_seconds_total")
if usage:
    assert abs(cpu - int(usage) / 1e9) < 1e-6, (cpu, usage)
else:
    assert abs(cpu - int(stat["usage_usec"]) / 1e6) < 1e-6, (cpu, stat)
# 10% of 3 s is 0.3 s; a little over for the period the burner started in.
assert 0.15 < cpu < 0.5, cpu
print(f"ok: throttled {throttled}/{periods} periods, {tsec:.3f} s, cpu {cpu:.3f} s, limit 0.1")
PY
kill_and_reap "$feeder"

# --- OOM kill in an 8 MiB memory cgroup.
before=$(scrape "/$oom")
python3 - "$before" "$(cat "$mem_limit_file")" <<'PY' || fail "before the OOM: oom_kill is not 0 or the limit is wrong"
import json, sys
got = json.loads(sys.argv[1])
assert got["kscope_cgroup_memory_events_total"]["event=oom_kill"] == 0, got
assert got["kscope_cgroup_memory_limit_bytes"][""] == int(sys.argv[2]) == 8 << 20, (got, sys.argv[2])
PY
set +e
sh -c 'echo $$ >"$1"; exec "$2" kscope-hog 64' sh "${dirs[1]}/cgroup.procs" "$hog"
status=$?
set -e
[[ $status -eq 137 ]] || fail "mem_hog was not OOM-killed in 8 MiB (exit $status)"
wait_interval 2.5
after=$(scrape "/$oom")
echo "kscope: $after"
echo "file: $(cat "$oom_file")"
python3 - "$after" "$(cat "$oom_file")" <<'PY' || fail "after the OOM: oom_kill is not 1"
import json, sys
got = json.loads(sys.argv[1])
kills = [int(l.split()[1]) for l in sys.argv[2].splitlines() if l.startswith("oom_kill ")]
assert kills == [1], sys.argv[2]
assert got["kscope_cgroup_memory_events_total"]["event=oom_kill"] == 1, got
assert got["kscope_cgroup_memory_events_total"]["event=max"] >= 1, got  # the limit was hit
print("ok: oom_kill 0 -> 1")
PY
url_has "$KSCOPE_URL/metrics" '^kscope_cgroups_skipped ' || fail "no kscope_cgroups_skipped"
echo "ok"
