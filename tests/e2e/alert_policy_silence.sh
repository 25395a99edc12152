#!/usr/bin/env bash
# Silences with a real kscope and a real webhook receiver: a silence made
# with Alertmanager's v2 shape (POST /api/v1/silences) keeps a firing alert
# quiet while it is still evaluated and listed as silenced; when it expires
# the alert is notified. A restart while the alert fires sends nothing new
# and keeps the silences (alerts.state_dir). Bad silences are a 400.
source "$(dirname "$0")/lib.sh"
require_root

work=$(mktemp -d)
RX_PID=""
WL=""
cleanup() {
  stop_kscope
  kill_and_reap ${WL:+"$WL"} ${RX_PID:+"$RX_PID"}
  rm -rf "$work"
}
trap cleanup EXIT

rx_port=$(free_port)
python3 "$(dirname "$0")/alert_receiver.py" "$rx_port" "$work/received" &
RX_PID=$!
comm="ks$$"
comm=${comm:0:15}
cat >"$work/kscope.yaml" <<YAML
alerts:
  state_dir: $work/state
  sinks:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$rx_port/hook"}
  rules:
    - name: SilencedOpens
      severity: warning
      target: $comm
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
start_kscope --config "$work/kscope.yaml"

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
post_silence() {  # $1: JSON body; prints "code body"
  curl -s -o "$work/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$1" \
    "$KSCOPE_URL/api/v1/silences"
}
now=$(date +%s)
code=$(post_silence '{"matchers":[{"name":"alertname","value":".*","isRegex":true}],"endsAt":"'"$(iso $((now + 60)))"'","createdBy":"ci","comment":"x"}')
[[ "$code" == 400 ]] && grep -q 'empty string' "$work/answer" || fail "a silence matching everything answered $code: $(cat "$work/answer")"
code=$(post_silence '{"matchers":[{"name":"alertname","value":"A"}],"endsAt":"soon","createdBy":"ci","comment":"x"}')
[[ "$code" == 400 ]] && grep -q 'RFC 3339' "$work/answer" || fail "a bad endsAt answered $code: $(cat "$work/answer")"

# Silence the rule for 8 seconds, then make it fire.
code=$(post_silence '{"matchers":[{"name":"alertname","value":"SilencedOpens","isRegex":false,"isEqual":true}],
  "startsAt":"'"$(iso "$now")"'","endsAt":"'"$(iso $((now + 8)))"'","createdBy":"ci","comment":"deploy"}')
[[ "$code" == 200 ]] || fail "POST /api/v1/silences answered $code: $(cat "$work/answer")"
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["silenceID"])' "$work/answer")
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 1000 40 &
WL=$!
for _ in $(seq 1 40); do
  url_has "$KSCOPE_URL/api/v1/alerts?rule=SilencedOpens" '"state": "firing"' && break
  sleep 0.25
done
body=$(curl -fsS "$KSCOPE_URL/api/v1/alerts?rule=SilencedOpens")
grep -q '"state": "firing"' <<<"$body" || { cat "$KSCOPE_LOG"; fail "the rule never fired"; }
grep -q "\"silencedBy\": \[\s*\"$sid\"" <<<"$(tr -d '\n' <<<"$body")" || fail "not shown as silenced by $sid: $body"
url_has "$KSCOPE_URL/api/v1/silences/$sid" '"state": "active"' || fail "the silence is not active"
sleep 1
[[ ! -s "$work/received" ]] || fail "notified while silenced: $(cat "$work/received")"
echo "ok: firing, silenced, nothing sent"

# The silence expires: the still-firing alert goes out.
for _ in $(seq 1 60); do
  [[ -s "$work/received" ]] && break
  sleep 0.25
done
grep -q '"status": "firing"' "$work/received" || fail "no notification after the silence expired"
url_has "$KSCOPE_URL/api/v1/silences/$sid" '"state": "expired"' || fail "the silence is not expired"
echo "ok: notified after the silence expired"

# A long silence on something else, then a restart while the alert fires.
code=$(post_silence '{"matchers":[{"name":"alertname","value":"OtherRule"}],"endsAt":"'"$(iso $((now + 3600)))"'","createdBy":"ci","comment":"kept"}')
[[ "$code" == 200 ]] || fail "second silence answered $code"
keep=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/answer")
[[ -s "$work/state/policy.json" ]] || fail "no state file in $work/state"
stop_kscope
start_kscope --config "$work/kscope.yaml"
grep -q 'alert state restored' "$KSCOPE_LOG" || fail "the state was not restored: $(cat "$KSCOPE_LOG")"
for _ in $(seq 1 40); do
  url_has "$KSCOPE_URL/api/v1/alerts?rule=SilencedOpens" '"state": "firing"' && break
  sleep 0.25
done
url_has "$KSCOPE_URL/api/v1/alerts?rule=SilencedOpens" '"state": "firing"' || fail "the rule did not fire again after the restart"
sleep 2
n=$(grep -c '"status": "firing"' "$work/received")
[[ "$n" -eq 1 ]] || fail "$n firing notifications; the restart paged again"
url_has "$KSCOPE_URL/api/v1/silences/$keep" '"state": "active"' || fail "the silence was forgotten across the restart"
url_has "$KSCOPE_URL/api/v1/health" '"persisted": true' || fail "health does not show the state dir"

# DELETE expires it.
curl -fsS -X DELETE "$KSCOPE_URL/api/v1/silences/$keep" | grep -q '"state": "expired"' || fail "DELETE did not expire"
code=$(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL/api/v1/silences/nosuchid")
[[ "$code" == 404 ]] || fail "unknown silence answered $code"
echo "ok: restart sent nothing new and kept the silence"
