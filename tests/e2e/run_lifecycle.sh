#!/usr/bin/env bash
# `kscope run`: health JSON (every probe family of the config), the default
# config round-trips, the default config never maps libcurl (only webhook/Alertmanager sinks load it) and
# leaves the kernel's BPF run-time statistics off (they slow every BPF
# program on the host; only budget.cpu_percent or budget.measure turn them
# on: metrics_promtool.sh checks that side), runs with glibc's per-thread
# malloc caches off (common/thread_caches.h: it re-executes itself once,
# keeping its name), its threads are named kscope-<role>, a
# second agent is refused naming the running one's pid and address (with
# --allow-second, the same port fails with a clear error), SIGTERM detaches
# cleanly.
source "$(dirname "$0")/lib.sh"
require_root
trap stop_kscope EXIT

cfg=$(mktemp --suffix=.yaml)
"$KSCOPE" run --print-default-config >"$cfg"
"$KSCOPE" run --check-config "$cfg" | grep -q ': ok$' || fail "default config does not validate"
printf 'probes:\n  syscals: {}\n' >"$cfg"
set +e
err=$("$KSCOPE" run --check-config "$cfg" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "bad config accepted"
grep -q "$cfg:2:3: probes.syscals: unknown field" <<<"$err" || fail "bad config error lacks line/field: $err"

start_kscope
health=$(curl -fsS "$KSCOPE_URL/api/v1/health")
python3 -c 'import json,sys; h=json.loads(sys.argv[1]); assert any(p["name"]=="syscalls" and p["up"] for p in h["probes"]), h' "$health" ||
  fail "health does not show syscalls up: $health"
families=$(config_probe_families)
[[ $(wc -l <<<"$families") -ge 7 ]] || fail "the default config has fewer than seven probe families: $families"
listed=$(python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.loads(sys.argv[1])["probes"]))' "$health")
[[ "$listed" == "$families" ]] || fail "health lists probes $(echo $listed), the config has $(echo $families)"
wait_interval
! maps_libcurl "$KSCOPE_PID" ||
  fail "kscope run with the default config mapped libcurl: $(grep libcurl "/proc/$KSCOPE_PID/maps" | head -1)"
environ=$(tr '\0' '\n' <"/proc/$KSCOPE_PID/environ")
grep -Eqx 'GLIBC_TUNABLES=(.*:)?glibc[.]malloc[.]tcache_count=0' <<<"$environ" ||
  fail "kscope run did not re-execute with glibc's thread caches off: $(grep GLIBC_TUNABLES <<<"$environ")"
# The re-exec keeps the name (not "exe", /proc/self/exe's), and every thread
# says whose it is and what it does.
comm=$(cat "/proc/$KSCOPE_PID/comm")
[[ "$comm" == kscope ]] || fail "kscope run's process is named '$comm', want kscope"
threads=$(cat /proc/"$KSCOPE_PID"/task/*/comm | sort | uniq -c)
! grep -v ' kscope' <<<"$threads" || fail "threads not named kscope-*: $threads"
grep -q ' kscope-http$' <<<"$threads" || fail "no kscope-http thread: $threads"
grep -q ' kscope-collect$' <<<"$threads" || fail "no kscope-collect thread: $threads"
holds_bpf_stats "$KSCOPE_PID" && fail "kscope run with the default config turned BPF run-time statistics on"
if [[ "$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)" == 0 ]]; then
  url_has "$KSCOPE_URL/metrics" '^kscope_bpf_program_run' &&
    fail "BPF program stats exported while the kernel does not count them"
fi

port=${KSCOPE_URL##*:}
# A second agent, on another port: refused before it attaches anything,
# naming the running one.
other=$(free_port)
set +e
second=$(timeout 20 "$KSCOPE" run --listen "127.0.0.1:$other" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "second kscope run on another port exited $rc: $second"
grep -q "kscope run is already running (pid $KSCOPE_PID, listening on 127.0.0.1:$port)" <<<"$second" ||
  fail "second kscope run does not name the running one: $second"
! grep -q 'attached' <<<"$second" || fail "the refused kscope run attached probes: $second"
# Asked for, on the same port: the port is the error.
set +e
second=$(timeout 20 "$KSCOPE" run --allow-second --listen "127.0.0.1:$port" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "second kscope on the same port exited $rc"
grep -q "cannot serve HTTP on 127.0.0.1:$port" <<<"$second" || fail "unclear port-in-use error: $second"

kill -TERM "$KSCOPE_PID"
wait "$KSCOPE_PID" || fail "kscope run exited non-zero on SIGTERM"
grep -q 'detaching' "$KSCOPE_LOG" || fail "no detach log line"
KSCOPE_PID=""
# The lock file it leaves names a dead pid: the next agent starts.
[[ -s "$KSCOPE_LOCK_FILE" ]] || fail "no lock file at $KSCOPE_LOCK_FILE"
start_kscope
stop_kscope
KSCOPE_PID=""
rm -f "$KSCOPE_LOCK_FILE"
echo "ok"
