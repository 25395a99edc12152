#!/usr/bin/env bash
# Faults around the config: a file that turns invalid, whose alert sinks
# cannot start, or that disappears before SIGHUP leaves the running config
# and alert rules in place, with the error (file:line where there is one) and
# its time in the log and in /api/v1/health until a good file is reloaded; --strict turns a probe that
# cannot load into a fatal error instead of a degraded agent.
source "$(dirname "$0")/lib.sh"
require_root
trap stop_kscope EXIT

health_field() {  # python expression over h
  curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c "import json,sys; h=json.load(sys.stdin); print($1)"
}

rules() {  # the running alert rules' names
  curl -fsS "$KSCOPE_URL/api/v1/alerts" | python3 -c 'import json,sys; print(" ".join(r["name"] for r in json.load(sys.stdin)["rules"]))'
}
good_config() {  # $1: the one rule's name
  printf 'interval: 1s\nalerts:\n  rules:\n    - name: %s\n      for: 1h\n      threshold: {signal: traffic.syscalls_per_second, op: ">", value: 1000000/s}\n' "$1"
}
# A failure's time: RFC 3339, within the last minute (and not before $1).
fresh() {
  python3 -c 'import sys,datetime as d; t=d.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")).timestamp(); n=d.datetime.now(d.timezone.utc).timestamp(); sys.exit(0 if float(sys.argv[2]) - 0.01 <= t <= n and n - t < 60 else 1)' "$1" "${2:-0}"
}

cfg=$(mktemp --suffix=.yaml)
good_config Before >"$cfg"
start_kscope --config "$cfg"
[[ $(health_field 'h["config"]["reload_error"]') == None ]] || fail "reload error before any reload"
[[ $(health_field 'h["config"]["reload_failed_at"]') == None ]] || fail "reload failure time before any reload"
[[ $(rules) == Before ]] || fail "rules at start: $(rules)"

# A field misspelt on line 3: the error names the file, line and column.
printf 'interval: 1s\nprobes:\n  syscals: {}\n' >"$cfg"
t0=$(date +%s.%N)
kill -HUP "$KSCOPE_PID"
sleep 0.5
err=$(health_field 'h["config"]["reload_error"]')
grep -q "^$cfg:3:3: probes.syscals: unknown field" <<<"$err" || fail "health does not report the invalid config with file:line: $err"
at=$(health_field 'h["config"]["reload_failed_at"]')
fresh "$at" "$t0" || fail "reload_failed_at is not this failure's time: $at (sent at $t0)"
[[ $(health_field 'h["status"]') == degraded ]] || fail "health status not degraded after a failed reload"
grep -q 'SIGHUP: keeping the running config' "$KSCOPE_LOG" || fail "no log line for the failed reload"
grep -q '^kscope_probe_up{probe="syscalls"} 1$' <<<"$(curl -fsS "$KSCOPE_URL/metrics")" || fail "agent stopped after a bad reload"
[[ $(rules) == Before ]] || fail "a bad reload changed the rules: $(rules)"

# A file that parses but whose alert sinks cannot start (a token_env that
# is not set): the old rules stay, and health shows this error, not the
# previous one.
{ good_config After; printf '  sinks:\n    - {name: hook, type: webhook, url: "http://127.0.0.1:9/hook", token_env: KSCOPE_E2E_UNSET_%s}\n' "$$"; } >"$cfg"
t1=$(date +%s.%N)
kill -HUP "$KSCOPE_PID"
sleep 0.5
err=$(health_field 'h["config"]["reload_error"]')
grep -q "^$cfg: sink hook: token_env names KSCOPE_E2E_UNSET_$$, which is not set" <<<"$err" ||
  fail "health does not report the failed alert reload: $err"
at=$(health_field 'h["config"]["reload_failed_at"]')
fresh "$at" "$t1" || fail "reload_failed_at is not the alert reload failure's time: $at (sent at $t1)"
[[ $(health_field 'h["status"]') == degraded ]] || fail "health status not degraded after a failed alert reload"
[[ $(rules) == Before ]] || fail "a failed alert reload changed the rules: $(rules)"

rm "$cfg"
kill -HUP "$KSCOPE_PID"
sleep 0.5
err=$(health_field 'h["config"]["reload_error"]')
grep -qi "$cfg" <<<"$err" || fail "health does not report the missing config: $err"
[[ $(health_field 'h["config"]["reloads_failed"]') == 3 ]] || fail "reloads_failed is not 3"

good_config After >"$cfg"
kill -HUP "$KSCOPE_PID"
sleep 0.5
[[ $(health_field 'h["config"]["reload_error"]') == None ]] || fail "a good reload did not clear the error"
[[ $(health_field 'h["config"]["reload_failed_at"]') == None ]] || fail "a good reload did not clear the failure time"
fresh "$(health_field 'h["config"]["reloaded_at"]')" "$t1" || fail "reloaded_at is not the good reload's time"
[[ $(health_field 'h["status"]') == ok ]] || fail "status not ok after a good reload"
[[ $(rules) == After ]] || fail "a good reload did not replace the rules: $(rules)"
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
echo "ok: bad, unstartable and missing config kept and reported; a failed probe degrades, --strict makes it fatal ($up probes kept running)"
