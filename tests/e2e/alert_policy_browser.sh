#!/usr/bin/env bash
# The dashboard's alert actions in a real browser (headless Chromium), with
# a bearer token configured: a firing alert's card offers Acknowledge and
# Silence 1h; each works (the API then shows the ack and an active silence
# matching the alert) and the card says so; the silence is listed and its
# Expire button ends it.
source "$(dirname "$0")/lib.sh"
require_root
WEB="$KSCOPE_SOURCE_DIR/userspace/web"
[[ -x /usr/bin/chromium ]] || skip "chromium is not installed (apt-get install chromium)"
[[ -d "$WEB/node_modules/playwright-core" ]] || skip "playwright-core missing: run (cd userspace/web && npm ci)"

work=$(mktemp -d)
WL=""
cleanup() {
  stop_kscope
  kill_and_reap ${WL:+"$WL"}
  rm -rf "$work"
}
trap cleanup EXIT
comm="kb$$"
comm=${comm:0:15}
export KSCOPE_E2E_TOKEN="tok-$$"
cat >"$work/kscope.yaml" <<YAML
http:
  token_env: KSCOPE_E2E_TOKEN
alerts:
  state_dir: $work/state
  sinks:
    - {name: log, type: log}
  rules:
    - name: BrowserOpens
      severity: critical
      target: $comm
      for: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
# start_kscope polls health without the token: start it here.
port=$(free_port)
KSCOPE_LOG="$work/kscope.log"
"$KSCOPE" run --listen "127.0.0.1:$port" --config "$work/kscope.yaml" >"$KSCOPE_LOG" 2>&1 &
KSCOPE_PID=$!
KSCOPE_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -H "Authorization: Bearer $KSCOPE_E2E_TOKEN" "$KSCOPE_URL/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$KSCOPE_PID" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "kscope run exited"; }
  sleep 0.1
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$KSCOPE_URL/api/v1/silences")
[[ "$code" == 401 ]] || fail "POST /api/v1/silences without the token answered $code, want 401"
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 1000 60 &
WL=$!
auth=(-H "Authorization: Bearer $KSCOPE_E2E_TOKEN")
for _ in $(seq 1 40); do
  curl -fsS "${auth[@]}" "$KSCOPE_URL/api/v1/alerts?rule=BrowserOpens" | grep -q '"state": "firing"' && break
  sleep 0.25
done
(cd "$WEB" && NODE_PATH="$WEB/node_modules" node "$(dirname "$0")/alert_policy_browser.js" "$KSCOPE_URL" "$KSCOPE_E2E_TOKEN") ||
  { tail -20 "$KSCOPE_LOG"; fail "the dashboard's alert actions failed"; }
body=$(curl -fsS "${auth[@]}" "$KSCOPE_URL/api/v1/alerts?rule=BrowserOpens")
grep -q '"by": "dash-user"' <<<"$body" || fail "the ack from the dashboard is not in the API: $body"
silences=$(curl -fsS "${auth[@]}" "$KSCOPE_URL/api/v1/silences")
grep -q '"createdBy": "dash-user"' <<<"$silences" || fail "no silence from the dashboard: $silences"
grep -q '"state": "active"' <<<"$silences" && fail "the dashboard's Expire left the silence active: $silences"
echo "ok: acknowledged, silenced and expired from the dashboard"
