#!/usr/bin/env bash
# Slack, Discord, Teams and PagerDuty sinks post to local receivers
# (tests/e2e/chat_receiver.py) when a threshold rule fires on a real
# workload whose process name is hostile (markup, mention and link
# characters), and again when it resolves. Each payload is checked field by
# field against its service's published schema (tests/e2e/chat_schemas.py);
# PagerDuty's trigger and resolve carry the routing key from a file and the
# same dedup_key. PagerDuty's first answer is 429: the sink retries, health
# shows the error and then the success, the counters show the retry.
source "$(dirname "$0")/lib.sh"
require_root

work=$(mktemp -d)
RX_PID=""
cleanup() {
  stop_kscope
  if [[ -n "$RX_PID" ]]; then kill "$RX_PID" 2>/dev/null; wait "$RX_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rx_port=$(free_port)
python3 "$(dirname "$0")/chat_receiver.py" "$rx_port" "$work/received" &
RX_PID=$!
rx="http://127.0.0.1:$rx_port"
for _ in $(seq 1 50); do curl -s -o /dev/null "$rx/" && break; sleep 0.1; done

printf 'R0UT1NGKEY%s\n' "$$" >"$work/pd-key"
# 15 bytes (a comm's most): markup, a mention and Markdown link characters.
comm="<!a>*_[x](y)&$$"
comm=${comm:0:15}
cat >"$work/kscope.yaml" <<YAML
alerts:
  external_url: http://kscope.e2e.example:9494
  sinks:
    - {name: slack, type: slack, url: "$rx/slack/services/T0/B0/secret"}
    - {name: discord, type: discord, url: "$rx/discord/api/webhooks/1/secret"}
    - {name: teams, type: teams, url: "$rx/teams/webhookb2/secret"}
    - {name: pd, type: pagerduty, url: "$rx/pd/v2/enqueue", routing_key_file: $work/pd-key, backoff: 200ms}
  rules:
    - name: FailingOpens
      severity: warning
      target: "$comm"
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
"$KSCOPE" run --check-config "$work/kscope.yaml" || fail "config rejected"
# Mistakes in channel sinks: each with its file:line:column; no secret in the file.
cat >"$work/bad.yaml" <<'YAML'
alerts:
  sinks:
    - {name: s, type: slack, url: "hooks.slack.com/services/x"}
    - {name: p, type: pagerduty}
    - {name: m, type: email, url: "smtp://relay:25", from: a@b.c, to: [d@e.f], username: u, password: hunter2}
YAML
set +e
err=$("$KSCOPE" run --check-config "$work/bad.yaml" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "--check-config exited $rc on a bad channel config: $err"
for want in "$work/bad.yaml:3:35: alerts.sinks\[0\].url: expected an http:// or https:// URL for a slack sink" \
            "$work/bad.yaml:4:7: alerts.sinks\[1\].routing_key_file: missing; a pagerduty sink needs" \
            "$work/bad.yaml:5:.*: alerts.sinks\[2\].password: unknown field" \
            "$work/bad.yaml:5:.*: alerts.sinks\[2\].username: SMTP AUTH needs password_file or password_env"; do
  grep -q "^$want" <<<"$err" || fail "--check-config lacks '$want': $err"
done
start_kscope --config "$work/kscope.yaml"

"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 2000 5 &
WL=$!
count() { grep -c "\"path\": \"/$1" "$work/received" 2>/dev/null || true; }
for _ in $(seq 1 80); do
  [[ $(count slack) -ge 1 && $(count discord) -ge 1 && $(count teams) -ge 1 && $(count pd) -ge 1 ]] && break
  sleep 0.25
done
[[ $(count pd) -ge 1 ]] || { cat "$KSCOPE_LOG"; fail "no firing notification reached every receiver"; }
wait "$WL"
for _ in $(seq 1 80); do
  [[ $(count slack) -ge 2 && $(count discord) -ge 2 && $(count teams) -ge 2 && $(count pd) -ge 2 ]] && break
  sleep 0.25
done
python3 "$(dirname "$0")/chat_schemas.py" "$work/received" "$comm" "R0UT1NGKEY$$" http://kscope.e2e.example:9494 ||
  { cat "$work/received"; fail "a payload does not match its service's schema"; }

curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(sys.stdin)["alert_sinks"]}
for name in ("slack", "discord", "teams", "pd"):
    assert s[name]["up"] and s[name]["last_success"], s[name]
pd = s["pd"]
assert pd["retries"] == 1 and "answered HTTP 429" in pd["last_error"] and pd["last_error_at"], pd
assert pd["last_error_at"] <= pd["last_success"], pd
' || fail "health does not show the sinks' last success and PagerDuty's throttling"
# (the counters are in the next snapshot: up to one interval later)
for _ in $(seq 1 20); do
  url_has "$KSCOPE_URL/metrics" '^kscope_alert_notifications_total{sink="pd",result="sent"} 2$' && break
  sleep 0.25
done
metrics=$(curl -fsS "$KSCOPE_URL/metrics")
for sink in slack discord teams pd; do
  grep -q "^kscope_alert_notifications_total{sink=\"$sink\",result=\"sent\"} 2$" <<<"$metrics" ||
    fail "$sink: not 2 sent: $(grep notifications_total <<<"$metrics")"
done
grep -q '^kscope_alert_notifications_total{sink="pd",result="retry"} 1$' <<<"$metrics" || fail "pd: the retry is not counted"
echo "ok: slack, discord, teams and pagerduty received firing and resolved notifications"
