#!/usr/bin/env bash
# `kscope top --view cgroups` against a real `kscope run`: a cgroup named
# like a systemd service, limited to 10% of a CPU, runs a busy loop; its row
# is named by the service, shows the 0.10 limit, CPU near 0.1 core and more
# than half of its periods throttled, in the text frame and in --json (which
# --sort t orders by the throttled share). A second cgroup whose directory
# name holds terminal escape bytes (no identity: its path is the name) shows
# up escaped; every line of the default frame fits 80 columns with no
# control byte.
# cgroup v1 cpu (+cpuacct) hierarchies (this hybrid host) or cgroup v2's cpu.max.
source "$(dirname "$0")/lib.sh"
require_root
burner="$KSCOPE_WORKLOAD_DIR/cpu_burner"
[[ -x "$burner" ]] || fail "missing $burner"

svc="kscope-top-$$.service"
evil=$'kscope-\e[31mevil-'"$$"
work=$(mktemp -d)
feeder=""
cleanup() {
  kill_and_reap $feeder
  stop_kscope
  remove_cgroups
  rm -rf "$work"
}
trap cleanup EXIT

cpu_limited_cgroup "$evil" 50000 || skip "no cpu controller (cgroup v1 or v2)"
cpu_limited_cgroup "$svc" 10000
procs=("${CGROUP_PROCS[@]}")
echo "cgroup: $svc"

start_kscope
sleep 1.5  # the new cgroups are found at the next interval (/proc/cgroups moved)
# The burner spins for 25 s (wall clock) inside the cgroup, then waits for
# its stdin to close: a fifo whose writer the cleanup kills.
mkfifo "$work/stdin"
sleep 60 >"$work/stdin" &
feeder=$!
sh -c 'for f in "$@"; do echo $$ >"$f"; done; exec "'"$burner"'" 25 >/dev/null' sh "${procs[@]}" <"$work/stdin" &
sleep 4

# NAME CPU LIMIT THROTL% MEM MEM% PSI-MEM PSI-IO IO/s OOM; a tall frame: the
# host's own cgroups may outrank ours.
out=""
for _ in $(seq 1 15); do
  out=$("$KSCOPE" top --view cgroups --once --url "$KSCOPE_URL" --interval 3s --height 500 --width 120)
  line=$(grep "^$svc " <<<"$out" || true)
  [[ -n "$line" && $(awk '{print $4}' <<<"$line") == *% ]] && break
  sleep 1
done
head -5 <<<"$out"
line=$(grep "^$svc " <<<"$out") || { echo "$out"; fail "$svc not in kscope top --view cgroups"; }
echo "$line"
python3 - "$line" <<'PY' || fail "the throttled cgroup's row is wrong: $line"
import sys
cells = sys.argv[1].split()
cpu, limit, throttled = float(cells[1]), float(cells[2]), cells[3]
assert limit == 0.1, f"limit {limit}"
assert 0.05 <= cpu <= 0.15, f"cpu {cpu} cores, expected near 0.1"
assert throttled.endswith("%") and float(throttled[:-1]) > 50, f"throttled {throttled}"
PY
# The hostile name: the API made the ESC byte U+FFFD, top shows its bytes as \xNN.
grep -q '^/kscope-\\xef\\xbf\\xbd\[31mevil' <<<"$out" || { echo "$out"; fail "the hostile cgroup is not shown escaped"; }
grep -q $'\e' <<<"$out" && fail "a raw escape byte reached the terminal"

frame=$(mktemp)
"$KSCOPE" top --view cgroups --once --url "$KSCOPE_URL" --interval 3s >"$frame"
cat "$frame"
python3 - "$frame" <<'PY' || { rm -f "$frame"; fail "a line is wider than 80 columns or holds a control byte"; }
import sys
lines = open(sys.argv[1], "rb").read().decode("ascii").splitlines()
assert len(lines) <= 24, len(lines)
assert lines[0].startswith("kscope top cgroups "), lines[0]
assert lines[2].split()[:4] == ["CGROUP", "CPU", "LIMIT", "THROTL%"], lines[2]
for l in lines:
    assert len(l) <= 80, l
    assert all(0x20 <= ord(c) < 0x7f for c in l), repr(l)
PY
rm -f "$frame"

# --json, sorted by the throttled share: our cgroup by its path and name.
"$KSCOPE" top --view cgroups --json --sort t --url "$KSCOPE_URL" --interval 3s | python3 -c '
import json, sys
svc = sys.argv[1]
j = json.load(sys.stdin)
assert j["view"] == "cgroups" and j["by"] == "cgroup", (j["view"], j["by"])
assert [c["key"] for c in j["columns"]][:3] == ["cpu_cores", "cpu_limit_cores", "cpu_throttled_ratio"], j["columns"]
rows = {r["target"]: r for r in j["rows"]}
r = rows["/" + svc]
assert r["name"] == svc, r
assert r["cpu_limit_cores"] == 0.1, r
assert 0.05 <= r["cpu_cores"] <= 0.15, r
assert r["cpu_throttled_ratio"] > 0.5, r
t = [r["cpu_throttled_ratio"] for r in j["rows"] if r["cpu_throttled_ratio"] is not None]
assert t == sorted(t, reverse=True), t
print("json ok:", len(j["rows"]), "cgroups;", svc, r)
' "$svc" || fail "kscope top --view cgroups --json"

# A bad view or a sort key of the other view is one clear error.
err=$(mktemp)
if "$KSCOPE" top --view containers --once --url "$KSCOPE_URL" 2>"$err"; then fail "--view containers accepted"; fi
grep -q "invalid --view 'containers'" "$err" || { cat "$err"; fail "no --view error"; }
if "$KSCOPE" top --view cgroups --sort s --once --url "$KSCOPE_URL" 2>"$err"; then fail "--sort s accepted for cgroups"; fi
grep -q "invalid --sort 's' for the cgroups view" "$err" || { cat "$err"; fail "no --sort error"; }
rm -f "$err"
echo "PASS"
