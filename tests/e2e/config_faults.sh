#!/usr/bin/env bash
# Faults around the config: a file that turns invalid or disappears before
# SIGHUP leaves the running config in place, with the error in the log and in
# /api/v1/health until a good file is reloaded; --strict turns a probe that
# cannot load into a fatal error instead of a degraded agent.
source "$(dirname "$0")/lib.sh"
require_root
trap stop_kscope EXIT

health_field() {  # python expression over h
  curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c "import json,sys; h=json.load(sys.stdin); print($1)"
}

cfg=$(mktemp --suffix=.yaml)
printf 'interval: 1s\n' >"$cfg"
start_kscope --config "$cfg"
[[ $(health_field 'h["config"]["reload_error"]') == None ]] || fail "reload error before any reload"

printf 'interval: 1s\nprobes:\n  syscals: {}\n' >"$cfg"
kill -HUP "$KSCOPE_PID"
sleep 0.5
err=$(health_field 'h["config"]["reload_error"]')
grep -q "syscals: unknown field" <<<"$err" || fail "health does not report the invalid config: $err"
[[ $(health_field 'h["status"]') == degraded ]] || fail "health status not degraded after a failed reload"
grep -q 'SIGHUP: keeping the running config' "$KSCOPE_LOG" || fail "no log line for the failed reload"
grep -q '^kscope_probe_up{probe="syscalls"} 1$' <<<"$(curl -fsS "$KSCOPE_URL/metrics")" || fail "agent stopped after a bad reload"

rm "$cfg"
kill -HUP "$KSCOPE_PID"
sleep 0.5
err=$(health_field 'h["config"]["reload_error"]')
grep -qi "$cfg" <<<"$err" || fail "health does not report the missing config: $err"
[[ $(health_field 'h["config"]["reloads_failed"]') == 2 ]] || fail "reloads_failed is not 2"

printf 'interval: 1s\n' >"$cfg"
kill -HUP "$KSCOPE_PID"
sleep 0.5
[[ $(health_field 'h["config"]["reload_error"]') == None ]] || fail "a good reload did not clear the error"
[[ $(health_field 'h["status"]') == ok ]] || fail "status not ok after a good reload"
stop_kscope
KSCOPE_PID=""

# A cgroup filter that does not exist: the probes that filter by cgroup
# cannot load. Without --strict each is reported (log, health) and the rest
# run; with --strict the first failure is the exit, with its reason.
printf 'filter:\n  cgroup: /kscope-no-such-cgroup-%s\n' "$$" >"$cfg"
start_kscope --config "$cfg"
grep -q 'probe=syscalls not loaded' "$KSCOPE_LOG" || fail "lenient run did not report the failed probe: $(cat "$KSCOPE_LOG")"
[[ $(health_field 'h["status"]') == degraded ]] || fail "health not degraded with a probe down"
reason=$(health_field '[p["reason"] for p in h["probes"] if p["name"] == "syscalls"][0]')
grep -q "cgroup filter '/kscope-no-such-cgroup-$$' not found" <<<"$reason" || fail "health lacks the reason: $reason"
up=$(health_field 'sum(1 for p in h["probes"] if p["up"])')
[[ "$up" -ge 1 ]] || fail "no probe kept running"
stop_kscope
KSCOPE_PID=""

port=$(free_port)
set +e
strict=$(timeout 60 "$KSCOPE" run --strict --config "$cfg" --listen "127.0.0.1:$port" 2>&1)
rc_strict=$?
set -e
[[ $rc_strict -eq 1 ]] || fail "--strict exited $rc_strict, want 1: $strict"
grep -q "cgroup filter '/kscope-no-such-cgroup-$$' not found" <<<"$strict" || fail "strict run lacks the reason: $strict"
! grep -q 'not loaded' <<<"$strict" || fail "strict run went on after the first failure: $strict"
echo "ok: bad and missing config kept and reported; a failed probe degrades, --strict makes it fatal ($up probes kept running)"
