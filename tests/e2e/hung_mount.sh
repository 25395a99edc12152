#!/usr/bin/env bash
# A hung mount does not stop kscope. A real FUSE filesystem (bindfs) whose
# daemon is stopped with SIGSTOP is the classic hang: statvfs on it waits for
# an answer that never comes. With it mounted, kscope
#   - keeps publishing: /metrics answers and the host counters move on;
#   - exports the mount as node_exporter does, node_filesystem_device_error
#     {device_error="mountpoint timeout"} 1 without sizes, with
#     kscope_host_filesystems_stuck 1, and calls it only once (the stuck total
#     stays 1 and no thread is added interval after interval);
#   - exits promptly on SIGINT though one of its threads is in that call;
#   - starts and serves when the mount is already hung at start (the
#     capability drop signals every thread, the hung one included);
#   - has the mount's sizes again once the daemon is continued.
source "$(dirname "$0")/lib.sh"
require_root
[[ -c /dev/fuse ]] || skip "no /dev/fuse (the kernel has no FUSE, or the sandbox hides it)"
command -v bindfs >/dev/null || skip "bindfs missing (scripts/packages.txt)"
command -v fusermount >/dev/null || command -v fusermount3 >/dev/null || skip "fusermount missing"
grep -qw fuse /proc/filesystems || skip "the kernel has no FUSE"

work=$(mktemp -d)
mnt="$work/mnt"
bindfs_pid=""
cleanup() {
  # Continue the daemon first: unmounting or stopping anything that waits on
  # the mount needs it to answer.
  [[ -n "$bindfs_pid" ]] && kill -CONT "$bindfs_pid" 2>/dev/null || true
  if [[ -n "${KSCOPE_PID:-}" ]] && kill -0 "$KSCOPE_PID" 2>/dev/null; then
    kill -KILL "$KSCOPE_PID" 2>/dev/null || true
    wait "$KSCOPE_PID" 2>/dev/null || true
  fi
  if grep -qF " $mnt fuse" /proc/self/mounts; then
    timeout -s KILL 10 fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  fi
  [[ -n "$bindfs_pid" ]] && kill_and_reap "$bindfs_pid"
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/src" "$mnt"
# -f: stays in the foreground, so $! is the daemon that serves the mount.
bindfs -f "$work/src" "$mnt" 2>"$work/bindfs.log" &
bindfs_pid=$!
for _ in $(seq 1 50); do
  grep -qF " $mnt fuse" /proc/self/mounts && break
  kill -0 "$bindfs_pid" 2>/dev/null || skip "bindfs cannot mount here: $(cat "$work/bindfs.log")"
  sleep 0.1
done
grep -qF " $mnt fuse" /proc/self/mounts || fail "bindfs did not mount $mnt within 5 s"

# Values of the series of /metrics file $1 whose line starts with $2 and
# holds this test's mount point.
mnt_series() { grep -F "$2{" "$1" | grep -F "mountpoint=\"$mnt\"" || true; }
metric() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }
scrape() {  # $1: file; fails the test if /metrics does not answer within 5 s
  curl -fsS -m 5 "$KSCOPE_URL/metrics" >"$1" || fail "/metrics did not answer within 5 s (collector stuck?)"
}
statvfs_threads() { grep -lx kscope-statvfs /proc/"$KSCOPE_PID"/task/*/comm 2>/dev/null | wc -l; }

# 1. Healthy: the FUSE mount has its sizes, nothing is stuck.
start_kscope
wait_interval 2
scrape "$work/m0.txt"
[[ -n "$(mnt_series "$work/m0.txt" node_filesystem_size_bytes)" ]] ||
  fail "no node_filesystem_size_bytes for the healthy FUSE mount: $(grep -F "$mnt" "$work/m0.txt" | head -3)"
[[ "$(metric "$work/m0.txt" kscope_host_filesystems_stuck)" == 0 ]] || fail "a mount is stuck before any hangs"

# 2. The daemon stops: statvfs on the mount hangs from now on.
kill -STOP "$bindfs_pid"
marked=""
for _ in $(seq 1 20); do
  sleep 0.5
  scrape "$work/m1.txt"
  if mnt_series "$work/m1.txt" node_filesystem_device_error | grep -q 'device_error="mountpoint timeout".* 1$'; then
    marked=1
    break
  fi
done
[[ -n "$marked" ]] || fail "the hung mount was not marked 'mountpoint timeout' within 10 s: $(mnt_series "$work/m1.txt" node_filesystem_device_error)"
ctxt1=$(metric "$work/m1.txt" node_context_switches_total)
threads1=$(statvfs_threads)
wait_interval 4
scrape "$work/m2.txt"
ctxt2=$(metric "$work/m2.txt" node_context_switches_total)
threads2=$(statvfs_threads)
python3 - "$ctxt1" "$ctxt2" <<'PY' || fail "node_context_switches_total did not move on while the mount hung ($ctxt1 -> $ctxt2)"
import sys
sys.exit(0 if float(sys.argv[2]) > float(sys.argv[1]) else 1)
PY
[[ -z "$(mnt_series "$work/m2.txt" node_filesystem_size_bytes)" ]] || fail "the hung mount still has a size"
[[ -z "$(mnt_series "$work/m2.txt" node_filesystem_avail_bytes)" ]] || fail "the hung mount still has avail bytes"
mnt_series "$work/m2.txt" node_filesystem_device_error | grep -q 'device="'"$work"'/src",.*fstype="fuse",device_error="mountpoint timeout"} 1$' ||
  fail "device_error series not in node_exporter's shape: $(mnt_series "$work/m2.txt" node_filesystem_device_error)"
[[ "$(metric "$work/m2.txt" kscope_host_filesystems_stuck)" == 1 ]] ||
  fail "kscope_host_filesystems_stuck is $(metric "$work/m2.txt" kscope_host_filesystems_stuck), want 1"
[[ "$(metric "$work/m2.txt" kscope_host_filesystem_stuck_total)" == 1 ]] ||
  fail "the hung mount was called again: kscope_host_filesystem_stuck_total $(metric "$work/m2.txt" kscope_host_filesystem_stuck_total)"
# The hung call's thread and the live worker; none added since.
[[ "$threads1" == 2 && "$threads2" == 2 ]] || fail "kscope-statvfs threads: $threads1 then $threads2, want 2 and 2"
lint=$(promtool_check "$work/m2.txt") || fail "promtool check metrics rejected /metrics: $lint"
grep -q "marked stuck.*mountpoint=$mnt" "$KSCOPE_LOG" || fail "no log line naming the stuck mount"

# 3. SIGINT while a thread is in the hung call: kscope exits anyway.
kill -INT "$KSCOPE_PID"
for _ in $(seq 1 150); do
  kill -0 "$KSCOPE_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$KSCOPE_PID" 2>/dev/null && fail "kscope did not exit within 15 s of SIGINT with a statvfs hung"
wait "$KSCOPE_PID" || fail "kscope exited with status $? on SIGINT with a statvfs hung: $(tail -5 "$KSCOPE_LOG")"

# 4. Started while the mount is hung: it comes up, drops its capabilities
# and serves, the mount marked stuck from the first snapshot on.
start_kscope
# The drop follows the first answer of /api/v1/health, and waits up to 2 s
# for the hung thread, whose signal handler cannot run inside the call.
for _ in $(seq 1 100); do
  grep -q "capabilities dropped" "$KSCOPE_LOG" && break
  sleep 0.1
done
grep -q "capabilities dropped" "$KSCOPE_LOG" || fail "no capability drop with a hung mount at start: $(tail -5 "$KSCOPE_LOG")"
scrape "$work/m3.txt"
mnt_series "$work/m3.txt" node_filesystem_device_error | grep -q 'device_error="mountpoint timeout".* 1$' ||
  fail "the mount hung at start is not marked stuck: $(mnt_series "$work/m3.txt" node_filesystem_device_error)"

# 5. The daemon continues: the stuck call returns, the mount has its sizes again.
kill -CONT "$bindfs_pid"
back=""
for _ in $(seq 1 20); do
  sleep 0.5
  scrape "$work/m4.txt"
  if [[ -n "$(mnt_series "$work/m4.txt" node_filesystem_size_bytes)" ]]; then
    back=1
    break
  fi
done
[[ -n "$back" ]] || fail "the mount has no size 10 s after its daemon continued"
[[ "$(metric "$work/m4.txt" kscope_host_filesystems_stuck)" == 0 ]] || fail "still stuck after the daemon continued"
mnt_series "$work/m4.txt" node_filesystem_device_error | grep -q '} 0$' || fail "device_error not 0 once recovered"
grep -q "no longer stuck mountpoint=$mnt" "$KSCOPE_LOG" || fail "no log line for the recovery"
stop_kscope
echo "ok: a hung FUSE mount is marked stuck in node_exporter's shape, the collector goes on, kscope starts and exits with it hung, and it recovers"
