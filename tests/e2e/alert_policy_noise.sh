#!/usr/bin/env bash
# Noise control with a real kscope and a real webhook receiver:
# - a rate limit of one message per 10 s: three alerts firing seconds apart
#   are one message, then (10 s later) one message listing the two held
#   back, counted in kscope_alert_notifications_suppressed_total
#   {reason="rate_limited"};
# - flapping: a rule toggled more than `transitions` times in the window is
#   sent once marked flapping, then held while it keeps toggling; it is
#   shown as flapping in /api/v1/alerts and counted as reason="flapping".
source "$(dirname "$0")/lib.sh"
require_root

work=$(mktemp -d)
RX_PID=""
WL_PIDS=()
TOGGLER=""
cleanup() {
  kill_and_reap ${TOGGLER:+"$TOGGLER"}
  stop_kscope
  kill_and_reap "${WL_PIDS[@]}" ${RX_PID:+"$RX_PID"}
  rm -rf "$work"
}
trap cleanup EXIT

rx_port=$(free_port)
python3 "$(dirname "$0")/alert_receiver.py" "$rx_port" "$work/received" &
RX_PID=$!
noisy="kn$$"
noisy=${noisy:0:8}
flap="kf$$"
flap=${flap:0:15}
hook="http://127.0.0.1:$rx_port"
cat >"$work/kscope.yaml" <<YAML
alerts:
  state_dir: $work/state
  sinks:
    - {name: chat, type: webhook, url: "$hook/chat"}
    - {name: flap, type: webhook, url: "$hook/flap"}
  notify:
    rate_limits: [{sink: chat, messages: 1, period: 10s}]
    flapping: {transitions: 3, window: 1m}
  routes:
    - {match: {alertname: FlappyOpens}, sinks: [flap]}
    - {sinks: [chat]}
  rules:
    - name: NoisyOpens
      severity: warning
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT, comm: "=~${noisy}_.*"}
        op: ">"
        value: 100/s
    - name: FlappyOpens
      severity: warning
      target: $flap
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
start_kscope --config "$work/kscope.yaml"

# Prints "path at status targets flapping" per received message (targets
# sorted, comma-separated; flapping: how many of its alerts are marked so).
messages() {
  python3 - "$work/received" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except FileNotFoundError:
    lines = []
for l in lines:
    m = json.loads(l)
    alerts = m["body"]["alerts"]
    targets = sorted(a["target"] for a in alerts)
    flapping = sum(a["annotations"].get("flapping") == "true" for a in alerts)
    print(m["path"], "%.2f" % m["at"], m["body"]["status"], ",".join(targets), flapping)
PY
}
count() { messages | grep -c "$1" || true; }
suppressed() {  # $1 sink, $2 reason: the counter's value (0 when absent)
  curl -fsS "$KSCOPE_URL/metrics" | python3 -c '
import re, sys
want = {"sink": sys.argv[1], "reason": sys.argv[2]}
for line in sys.stdin:
    m = re.match(r"kscope_alert_notifications_suppressed_total\{(.*)\} (\S+)$", line.strip())
    if m and dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(1))) == want:
        print(int(float(m.group(2)))); break
else:
    print(0)' "$1" "$2"
}
wait_for() {  # $1 tries of 0.25 s, $2: a condition (evaluated each try)
  for _ in $(seq 1 "$1"); do
    eval "$2" && return 0
    sleep 0.25
  done
  return 1
}

# --- Rate limit: one message per 10 s to chat ---
start_noisy() {
  "$KSCOPE_WORKLOAD_DIR/failing_opens" "${noisy}_$1" 1000 90 &
  WL_PIDS+=($!)
}
start_noisy a
wait_for 40 '[[ $(count ^/chat) -ge 1 ]]' || { cat "$KSCOPE_LOG"; fail "the first alert never reached chat"; }
first=$(messages | grep '^/chat' | head -1)
[[ $(awk '{print $4}' <<<"$first") == "${noisy}_a" ]] || fail "the first chat message is not alert a: $first"
t_first=$(awk '{print $2}' <<<"$first")
# Two more alerts fire while the period is still running: held back.
start_noisy b
sleep 2
start_noisy c
wait_for 40 '[[ $(suppressed chat rate_limited) -ge 2 ]]' || fail "the alerts b and c were not held back: $(messages)"
[[ $(count '^/chat') -eq 1 ]] || fail "more than one message in the rate-limited period: $(messages)"
# When the period is over, the next message lists both.
wait_for 60 '[[ $(count ^/chat) -ge 2 ]]' || fail "the held-back alerts never went out: $(messages)"
sleep 1.5
messages | grep '^/chat'
second=$(messages | grep '^/chat' | sed -n 2p)
[[ $(awk '{print $3, $4}' <<<"$second") == "firing ${noisy}_b,${noisy}_c" ]] ||
  fail "the message after the period should list the two held back, got: $second"
gap=$(awk -v a="$t_first" '{print $2 - a}' <<<"$second")
awk -v g="$gap" 'BEGIN { exit !(g >= 9.5 && g < 13) }' || fail "the held-back message came ${gap}s after the first, want 10s"
[[ $(count '^/chat') -eq 2 ]] || fail "chat got more than two messages: $(messages)"
[[ $(suppressed chat rate_limited) -eq 2 ]] || fail "rate_limited counter is $(suppressed chat rate_limited), want 2"
echo "ok: rate limit: 1 message, then 2 held back in one message ${gap}s later, counted 2"

# --- Flapping: more than 3 changes in a minute ---
# On 1.5 s (well over 100/s), off 2 s (none): each cycle fires and resolves.
(
  while true; do
    "$KSCOPE_WORKLOAD_DIR/failing_opens" "$flap" 2000 1.5
    sleep 2
  done
) &
TOGGLER=$!
flaps() { count "^/flap .* [1-9]$"; }
wait_for 100 '[[ $(flaps) -ge 1 ]]' || { messages; fail "no message marked flapping"; }
messages | grep '^/flap'
# Fired, resolved, fired: the three changes allowed are sent as they are,
# the fourth makes it flapping and is the one message saying so.
[[ "$(messages | grep '^/flap' | awk '{print $3, $5}' | tr '\n' ' ')" == "firing 0 resolved 0 firing 0 firing 1 " ]] ||
  fail "want firing, resolved, firing, then one flapping message: $(messages | grep '^/flap')"
url_has "$KSCOPE_URL/api/v1/alerts?rule=FlappyOpens" '"flapping": true' ||
  fail "not shown as flapping: $(curl -fsS "$KSCOPE_URL/api/v1/alerts?rule=FlappyOpens")"
# /metrics is rendered once an interval: the count shows up within one.
wait_for 12 '[[ $(suppressed flap flapping) -ge 1 ]]' || {
  curl -fsS "$KSCOPE_URL/metrics" | grep suppressed
  fail "the flapping change is not counted"
}
held=$(suppressed flap flapping)
# It keeps toggling: at least two more changes, none of them sent.
wait_for 60 '[[ $(suppressed flap flapping) -ge $((held + 2)) ]]' ||
  fail "the flapping counter stayed at $(suppressed flap flapping) while the rule toggled"
[[ $(count '^/flap') -eq 4 ]] || fail "messages after the flapping one: $(messages | grep '^/flap')"
url_has "$KSCOPE_URL/api/v1/alerts?rule=FlappyOpens" '"flapping": true' || fail "no longer shown as flapping"
echo "ok: flapping: one message marked flapping, then held ($(suppressed flap flapping) changes counted)"
