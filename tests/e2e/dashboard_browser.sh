#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (Debian's) loads it from
# `kscope run`, waits for live WebSocket data, checks the charts got points,
# records a flame graph (or sees the explanation when profiles are not
# there), checks an alert card (value, threshold, since; a hostile target
# name shown as text), and inspects screenshots in dark, light and phone
# layouts. The Resources tab: host CPU, memory and PSI tiles, a loop
# device's row after direct I/O to it, and a CPU-limited cgroup with an HTML
# name in the per-cgroup table (as text, throttled).
# KSCOPE_SCREENSHOT_DIR keeps the screenshots.
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"
out="${KSCOPE_SCREENSHOT_DIR:-$(mktemp -d)}"
mkdir -p "$out"
load_pid=""
alert_pid=""
busy_pid=""
io_pid=""
loop_dev=""
# A cgroup whose name is HTML, in the cpu and memory hierarchies (cgroup v1
# here, else the unified one), limited to 10% of a CPU and 256 MiB.
cg_name='kscope-e2e-<img src=x onerror=alert(1)>'
cg_dirs=()
work=$(mktemp -d)
cleanup() {
  # A killed child's status must not become the test's (set -e).
  if [[ -n "$load_pid" ]]; then kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; fi
  if [[ -n "$alert_pid" ]]; then kill "$alert_pid" 2>/dev/null || true; wait "$alert_pid" 2>/dev/null || true; fi
  if [[ -n "$busy_pid" ]]; then kill "$busy_pid" 2>/dev/null || true; wait "$busy_pid" 2>/dev/null || true; fi
  if [[ -n "$io_pid" ]]; then kill "$io_pid" 2>/dev/null || true; wait "$io_pid" 2>/dev/null || true; fi
  stop_kscope
  for d in "${cg_dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done
  if [[ -n "$loop_dev" ]]; then losetup -d "$loop_dev" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# A loop device of our own: a device name to look for in the disks table.
truncate -s 64M "$work/disk.img"
loop_dev=$(losetup -f --show "$work/disk.img") || skip "no loop device here (losetup failed)"
# The busy loop, moved into the cgroup before it spins: cgroup v1 (cpu,
# cpuacct, which holds the usage, and memory; this hybrid host) or v2.
cpu_v1=$(cgroup_v1_mount cpu) cpuacct_v1=$(cgroup_v1_mount cpuacct) mem_v1=$(cgroup_v1_mount memory)
unified=$(cgroup2_mount)
if [[ -n "$cpu_v1" && -n "$mem_v1" ]]; then
  cg_dirs=("$cpu_v1/$cg_name" "$mem_v1/$cg_name")
  [[ -n "$cpuacct_v1" && "$cpuacct_v1" != "$cpu_v1" ]] && cg_dirs+=("$cpuacct_v1/$cg_name")
  mkdir "${cg_dirs[@]}"
  echo 100000 >"$cpu_v1/$cg_name/cpu.cfs_period_us"
  echo 10000 >"$cpu_v1/$cg_name/cpu.cfs_quota_us"
  echo $((256 << 20)) >"$mem_v1/$cg_name/memory.limit_in_bytes"
elif [[ -n "$unified" ]] && grep -qw cpu "$unified/cgroup.controllers" && grep -qw memory "$unified/cgroup.controllers"; then
  echo "+cpu +memory" >"$unified/cgroup.subtree_control" || skip "cannot enable cpu and memory in $unified"
  cg_dirs=("$unified/$cg_name")
  mkdir "${cg_dirs[0]}"
  echo "10000 100000" >"${cg_dirs[0]}/cpu.max"
  echo $((256 << 20)) >"${cg_dirs[0]}/memory.max"
else
  skip "no cgroup v1 cpu+memory hierarchies and no cgroup2 with cpu and memory"
fi
bash -c 'for d in "$@"; do echo $$ >"$d/cgroup.procs"; done; while :; do :; done' _ "${cg_dirs[@]}" &
busy_pid=$!
# A rule that stays pending (for: 1h) on a process whose name is HTML, so the
# page shows an alert card to check.
cat >"$work/kscope.yaml" <<'YAML'
alerts:
  rules:
    - name: BrowserCardBusy
      target: "<img src=x>"
      for: 1h
      threshold: {signal: traffic.syscalls_per_second, op: ">", value: 10/s}
YAML
start_kscope --config "$work/kscope.yaml"
# ~400 syscalls/s for 30 s, under that name.
"$KSCOPE_WORKLOAD_DIR/syscall_workload" "<img src=x>" 6000 5000 &
alert_pid=$!
# Some steady, bounded traffic to watch.
( for _ in $(seq 1 400); do head -c 65536 /dev/zero >/dev/null; sleep 0.05; done ) &
load_pid=$!
# Direct writes to the loop device, 1 MiB every half second, until the end
# (the Resources tab is checked a minute in).
( for _ in $(seq 1 600); do dd if=/dev/zero of="$loop_dev" bs=64k count=16 oflag=direct status=none; sleep 0.5; done ) &
io_pid=$!
KSCOPE_E2E_DISK=$(basename "$loop_dev") KSCOPE_E2E_CGROUP="$cg_name" \
  NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_browser.js" "$KSCOPE_URL/" "$out"
