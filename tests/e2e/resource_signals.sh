#!/usr/bin/env bash
# The resources in the golden signals and the default rules, end to end:
# kscope runs the default config (breakdown: cgroup, every rule's `for`
# shortened to 2s) while a busy loop runs in a cgroup named like a systemd
# service and limited to 10% of a CPU. Then:
#  - /api/v1/signals: the host's saturation has PSI (cpu, memory, io), memory
#    used and disk utilisation as numbers in 0..1; the cgroup's target has
#    cpu_throttled_ratio above 0.5;
#  - the default rule CpuThrottlingHigh fires for that cgroup, its alert
#    labelled cgroup="/<name>" (not a process name);
#  - the rules that should not fire here (memory pressure, full filesystems)
#    do not.
# A hybrid host (cgroup v1 controllers) gets the cgroup in the cpu (and
# cpuacct) hierarchies and under the same path in the unified one, as
# systemd makes it: the breakdown names targets by the unified path.
source "$(dirname "$0")/lib.sh"
require_root
burner="$KSCOPE_WORKLOAD_DIR/cpu_burner"
[[ -x "$burner" ]] || fail "missing $burner"
[[ -r /proc/pressure/memory ]] || skip "no PSI here (kernel booted with psi=0?)"

[[ -n "$(cgroup2_mount)" ]] || skip "no cgroup2 mount: the cgroup breakdown needs one"
svc="kscope-sig-$$.service"
work=$(mktemp -d)
burner_pid=""
cleanup() {
  stop_kscope
  [[ -n "$burner_pid" ]] && kill_and_reap "$burner_pid"
  remove_cgroups
  rm -rf "$work"
}
trap cleanup EXIT
cpu_limited_cgroup "$svc" 10000 || skip "no cpu controller (cgroup v1 or v2)"
procs=("${CGROUP_PROCS[@]}")

sed -E -e 's/^(      for: )[0-9]+m$/\12s/' -e 's/^breakdown: comm$/breakdown: cgroup/' \
  "$KSCOPE_SOURCE_DIR/userspace/config/embed/default.yaml" >"$work/kscope.yaml"
grep -q '^breakdown: cgroup$' "$work/kscope.yaml" || fail "could not set breakdown: cgroup"
"$KSCOPE" run --check-config "$work/kscope.yaml" || fail "config rejected"
start_kscope --config "$work/kscope.yaml"

# The burner moves itself into the cgroups before it starts spinning: a
# shell in the background writes its own pid, then execs (bounded: 40 s).
( for f in "${procs[@]}"; do echo "$BASHPID" >"$f"; done; exec timeout 40 "$burner" 40 </dev/null ) &
burner_pid=$!

ok=""
for _ in $(seq 1 30); do
  sleep 1
  curl -fsS "$KSCOPE_URL/api/v1/signals" >"$work/signals.json" || continue
  curl -fsS "$KSCOPE_URL/api/v1/alerts" >"$work/alerts.json" || continue
  if python3 - "$work" "/$svc" <<'PY'
import json, sys
work, cg = sys.argv[1], sys.argv[2]
sig = json.load(open(f"{work}/signals.json"))
alerts = json.load(open(f"{work}/alerts.json"))["alerts"]
sat = sig["host"]["saturation"]
errors = []
for key in ("cpu_pressure", "memory_pressure", "memory_pressure_full", "io_pressure", "io_pressure_full",
            "memory_used_ratio", "disk_utilization"):
    v = sat.get(key)
    if not isinstance(v, (int, float)) or not 0 <= v <= 1:
        errors.append(f"host saturation.{key} = {v!r}, expected a number in 0..1")
mine = [t for t in sig["targets"] if t["target"] == cg]
if not mine:
    errors.append(f"no target {cg} among {[t['target'] for t in sig['targets']][:20]}")
else:
    r = mine[0]["saturation"].get("cpu_throttled_ratio")
    if not isinstance(r, (int, float)) or r <= 0.5:
        errors.append(f"{cg} cpu_throttled_ratio = {r!r}, expected > 0.5")
firing = [a for a in alerts if a["rule"] == "CpuThrottlingHigh" and a["state"] == "firing" and a["target"] == cg]
if not firing:
    errors.append("CpuThrottlingHigh not firing for " + cg + ": " +
                  json.dumps([(a["rule"], a["state"], a["target"]) for a in alerts])[:600])
else:
    labels = dict(firing[0]["labels"]) if isinstance(firing[0]["labels"], dict) else {k: v for k, v in firing[0]["labels"]}
    if labels.get("cgroup") != cg or "comm" in labels:
        errors.append(f"the alert's labels: {labels}")
for a in alerts:
    if a["rule"] in ("MemoryPressureHigh", "FilesystemAlmostFull") and a["state"] == "firing":
        errors.append(f"{a['rule']} fires on this host: {a}")
print("\n".join(errors) if errors else "ok")
sys.exit(1 if errors else 0)
PY
  then ok=1; break; fi
done
[[ -n "$ok" ]] || fail "resource signals and rules (above); kscope log: $(tail -20 "$KSCOPE_LOG")"
echo "ok: resource saturation in the signals, CpuThrottlingHigh for the throttled cgroup"
