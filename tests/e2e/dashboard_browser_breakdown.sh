#!/usr/bin/env bash
# The dashboard's targets follow the agent's breakdown label, in a real
# browser (headless Chromium, as dashboard_browser.sh): with
# `breakdown: cgroup` the targets table and the top-targets chart name cgroup
# paths (the root "/" and a cgroup of ours whose name is HTML, with a
# workload in it); with `breakdown: none` the table is the host's one row and
# the page says why. (The default, comm, is dashboard_browser.sh's.)
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"
unified=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[[ -n "$unified" ]] || skip "no cgroup2 mount: the cgroup breakdown needs one"
cg_name="kscope-e2e-bd-$$-<img src=x>"
cg_dir="$unified/$cg_name"
work=$(mktemp -d)
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill_and_reap "$load_pid"
  stop_kscope
  rmdir "$cg_dir" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$cg_dir"
# Known syscalls in the cgroup for the whole test (bounded: 200 failing
# opens a second for two minutes): it moves itself in, then execs.
( echo "$BASHPID" >"$cg_dir/cgroup.procs"; exec "$KSCOPE_WORKLOAD_DIR/failing_opens" kscope-bd 200 120 >/dev/null ) &
load_pid=$!

browse() {  # MODE [CGROUP_PATH]
  NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/dashboard_browser_breakdown.js" "$KSCOPE_URL/" "$@"
}
printf 'interval: 1s\nbreakdown: cgroup\n' >"$work/cgroup.yaml"
start_kscope --config "$work/cgroup.yaml"
wait_interval 3
browse cgroup "/$cg_name"
stop_kscope
KSCOPE_PID=""

printf 'interval: 1s\nbreakdown: none\n' >"$work/none.yaml"
start_kscope --config "$work/none.yaml"
wait_interval 3
browse none
echo "ok: targets named by cgroup path with breakdown: cgroup, the host alone (and why) with breakdown: none"
