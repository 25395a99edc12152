#!/usr/bin/env bash
# --pid names a process: `kscope profile`, `offcpu`, `trace` and
# /api/v1/profile refuse a pid with no process at once, with one clear error
# and a non-zero exit (not a recording of nothing for the whole duration);
# a process that exits while recording ends the recording, and kscope says so.
source "$(dirname "$0")/lib.sh"
require_root
tmp=$(mktemp -d)
trap 'stop_kscope; rm -rf "$tmp"' EXIT

# A pid that no process has: one that just exited and was reaped.
sleep 0 & gone=$!
wait "$gone"
[[ ! -e /proc/$gone ]] || skip "pid $gone was reused at once"

expect_refused() {  # command...
  local out rc t0 t1
  t0=$(date +%s.%N)
  set +e
  out=$("$@" 2>&1)
  rc=$?
  set -e
  t1=$(date +%s.%N)
  [[ $rc -ne 0 ]] || fail "$* exited 0 for a pid with no process: $out"
  [[ "$out" == *"no process with pid $gone"* ]] || fail "$* does not say the pid has no process: $out"
  [[ $(wc -l <<<"$out") -eq 1 ]] || fail "$* says more than one line: $out"
  python3 -c "import sys; sys.exit(0 if $t1 - $t0 < 3 else 1)" || fail "$* took $(python3 -c "print($t1 - $t0)")s to refuse"
  echo "ok: $1 ${2:-}: $out"
}
expect_refused "$KSCOPE" profile --duration 10 --pid "$gone" -o "$tmp/cpu.folded"
expect_refused "$KSCOPE" offcpu --duration 10 --pid "$gone" -o "$tmp/off.folded"
expect_refused "$KSCOPE" trace --min-latency 1ms --duration 10s --pid "$gone"
[[ ! -e "$tmp/cpu.folded" && ! -e "$tmp/off.folded" ]] || fail "a refused recording wrote a file"

# A thread id is not a process id: the error names the process.
python3 -c 'import threading, time; threading.Thread(target=time.sleep, args=(30,)).start(); time.sleep(30)' &
proc=$!
for _ in $(seq 1 50); do
  tid=$(ls "/proc/$proc/task" | grep -vx "$proc" | head -1 || true)
  [[ -n "$tid" ]] && break
  sleep 0.1
done
[[ -n "$tid" ]] || fail "the two-thread python process has no second thread"
set +e
out=$("$KSCOPE" offcpu --duration 5 --pid "$tid" -o "$tmp/off.folded" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 && "$out" == *"is a thread of process $proc"*"--pid $proc"* ]] || fail "a thread id was not refused: $out"
echo "ok: thread id: $out"
kill_and_reap "$proc"

# Exits during the recording: the recording ends within a second or two and says so.
for cmd in profile offcpu; do
  sleep 2 & short=$!
  t0=$(date +%s)
  out=$("$KSCOPE" "$cmd" --duration 20 --pid "$short" -o "$tmp/$cmd.folded" 2>&1) ||
    fail "kscope $cmd of a process that exits while recording failed: $out"
  took=$(( $(date +%s) - t0 ))
  wait "$short" || true
  (( took <= 6 )) || fail "kscope $cmd went on for ${took}s after pid $short exited (asked for 20s): $out"
  grep -q "pid $short exited after" <<<"$out" || fail "kscope $cmd does not say pid $short exited: $out"
  [[ -e "$tmp/$cmd.folded" ]] || fail "kscope $cmd wrote no file for what it recorded"
  echo "ok: $cmd: $(grep exited <<<"$out")"
done
sleep 2 & short=$!
out=$("$KSCOPE" trace --min-latency 1s --duration 20s --pid "$short" 2>&1) || fail "trace failed: $out"
wait "$short" || true
grep -q "pid $short exited: tracing stopped" <<<"$out" || fail "kscope trace does not say pid $short exited: $out"

# The agent's profile endpoint: 404 with the same sentence, at once.
start_kscope
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$KSCOPE_URL/api/v1/profile?seconds=5&pid=$gone")
[[ "$code" == 404 ]] || fail "/api/v1/profile?pid=$gone answered $code: $(cat "$tmp/body")"
grep -q "no process with pid $gone" "$tmp/body" || fail "/api/v1/profile error unclear: $(cat "$tmp/body")"
echo "ok: /api/v1/profile: $(cat "$tmp/body")"
