#!/usr/bin/env bash
# The notification policy with a real kscope and a real webhook receiver:
# routing by severity to two receivers, ten targets firing together are one
# grouped message listing ten, a critical alert nobody acknowledges is
# escalated after its delay, its repeats stop once it is acknowledged
# (POST /api/v1/alerts/ID/ack; an unknown id is a 404).
source "$(dirname "$0")/lib.sh"
require_root

work=$(mktemp -d)
RX_PID=""
WL_PIDS=()
cleanup() {
  stop_kscope
  kill_and_reap "${WL_PIDS[@]}" ${RX_PID:+"$RX_PID"}
  rm -rf "$work"
}
trap cleanup EXIT

rx_port=$(free_port)
python3 "$(dirname "$0")/alert_receiver.py" "$rx_port" "$work/received" &
RX_PID=$!
group="kg$$"
group=${group:0:8}
crit="kc$$"
crit=${crit:0:15}
hook="http://127.0.0.1:$rx_port"
cat >"$work/kscope.yaml" <<YAML
alerts:
  state_dir: $work/state
  sinks:
    - {name: chat, type: webhook, url: "$hook/chat"}
    - {name: pager, type: webhook, url: "$hook/pager"}
    - {name: phone, type: webhook, url: "$hook/phone"}
  notify:
    group_by: [alertname]
    group_wait: 3s
    group_interval: 2s
    repeat_interval: 3s
  routes:
    - {min_severity: critical, sinks: [pager], escalate_after: 5s, escalate_to: [phone]}
    - {sinks: [chat]}
  rules:
    - name: GroupedOpens
      severity: warning
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT, comm: "=~${group}_.*"}
        op: ">"
        value: 100/s
    - name: CriticalOpens
      severity: critical
      target: $crit
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
start_kscope --config "$work/kscope.yaml"

for i in $(seq 0 9); do
  "$KSCOPE_WORKLOAD_DIR/failing_opens" "${group}_$i" 1000 40 &
  WL_PIDS+=($!)
done
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$crit" 1000 40 &
WL_PIDS+=($!)

# Prints "path status n_alerts alertnames" per received message.
messages() {
  python3 - "$work/received" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except FileNotFoundError:
    lines = []
for l in lines:
    m = json.loads(l)
    names = sorted({a["labels"]["alertname"] for a in m["body"]["alerts"]})
    print(m["path"], m["body"]["status"], len(m["body"]["alerts"]), ",".join(names))
PY
}
count() { messages | grep -c "$1" || true; }

for _ in $(seq 1 80); do
  [[ $(count '^/chat firing') -ge 1 && $(count '^/phone') -ge 1 ]] && break
  sleep 0.25
done
messages
first_chat=$(messages | grep '^/chat' | head -1)
[[ "$first_chat" == "/chat firing 10 GroupedOpens" ]] ||
  { cat "$KSCOPE_LOG"; fail "the first chat message should list the ten targets in one group, got: $first_chat"; }
[[ $(count '^/chat.*CriticalOpens') -eq 0 ]] || fail "the critical alert went to chat"
[[ $(count '^/pager.*GroupedOpens') -eq 0 ]] || fail "the warning went to the pager"
[[ $(count '^/pager firing 1 CriticalOpens') -ge 1 ]] || fail "the critical alert never reached the pager"
[[ $(count '^/phone firing 1 CriticalOpens') -eq 1 ]] || fail "no escalation to the phone after 5s unacknowledged"
grep '"path": "/phone"' "$work/received" | grep -q '"escalated"' || fail "the escalation does not say why"
echo "ok: routed by severity, ten targets in one message, escalated"

# Repeats every 3s while nobody has taken it; then acknowledge it.
for _ in $(seq 1 40); do
  [[ $(count '^/pager') -ge 2 ]] && break
  sleep 0.25
done
[[ $(count '^/pager') -ge 2 ]] || fail "no repeat of the unacknowledged critical alert"
id=$(curl -fsS "$KSCOPE_URL/api/v1/alerts?rule=CriticalOpens" |
  python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["alerts"] if a["state"]=="firing"][0])')
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"by":"ana"}' "$KSCOPE_URL/api/v1/alerts/0123456789abcdef/ack")
[[ "$code" == 404 ]] || fail "ack of an unknown alert answered $code, want 404"
curl -fsS -X POST -d '{"by":"ana","comment":"looking"}' "$KSCOPE_URL/api/v1/alerts/$id/ack" >/dev/null ||
  fail "ack of $id failed"
url_has "$KSCOPE_URL/api/v1/alerts?rule=CriticalOpens" '"by": "ana"' || fail "the ack is not shown in /api/v1/alerts"
before=$(count '^/pager')
sleep 7
after=$(count '^/pager')
[[ "$after" -eq "$before" ]] || fail "the pager got $((after - before)) repeats after the ack"
[[ $(count '^/phone') -eq 1 ]] || fail "escalated more than once"
echo "ok: ack stopped the repeats ($before pager messages before it, none after)"
