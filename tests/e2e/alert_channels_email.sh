#!/usr/bin/env bash
# Email sinks deliver through a real SMTP server on loopback (aiosmtpd): in
# plain text to a relay, over STARTTLS with a self-signed certificate (its CA
# in ca_file) and AUTH with the password from a file, and over implicit TLS
# (smtps://) with the password from a variable. A threshold rule fires on a
# real workload: each message names severity, rule and target in its
# subject and value, threshold and links in its body; the resolution follows.
# A sink with a wrong password shows its error and last failure in
# /api/v1/health and is counted as failed.
source "$(dirname "$0")/lib.sh"
require_root
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd not installed"
command -v openssl >/dev/null || skip "openssl not installed"

work=$(mktemp -d)
SMTP_PID=""
cleanup() {
  stop_kscope
  if [[ -n "$SMTP_PID" ]]; then kill "$SMTP_PID" 2>/dev/null; wait "$SMTP_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj "/CN=kscope e2e relay" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null || fail "openssl could not make a certificate"
mkdir "$work/mail"
plain_port=$(free_port)
starttls_port=$(free_port)
smtps_port=$(free_port)
/usr/bin/python3 "$(dirname "$0")/smtp_receiver.py" "$work/mail" "$work/cert.pem" "$work/key.pem" \
  "$plain_port" "$starttls_port" "$smtps_port" kscope "s3cret-$$" >"$work/smtp.log" 2>&1 &
SMTP_PID=$!
for _ in $(seq 1 100); do [[ -e "$work/mail/ready" ]] && break; sleep 0.1; done
[[ -e "$work/mail/ready" ]] || { cat "$work/smtp.log"; fail "the SMTP server did not start"; }

printf 's3cret-%s\n' "$$" >"$work/password"
printf 'wrong\n' >"$work/wrong-password"
export KSCOPE_E2E_SMTP_PASSWORD="s3cret-$$"
comm="kscml$$"
comm=${comm:0:15}
cat >"$work/kscope.yaml" <<YAML
alerts:
  external_url: http://kscope.e2e.example:9494
  capture:
    dir: $work/captures
  sinks:
    - {name: relay, type: email, url: "smtp://127.0.0.1:$plain_port", starttls: false,
       from: "kscope e2e <alerts@kscope.example>", to: [oncall@example.com, ops@example.com]}
    - {name: starttls, type: email, url: "smtp://127.0.0.1:$starttls_port", ca_file: $work/cert.pem,
       from: alerts@kscope.example, to: [oncall@example.com], username: kscope, password_file: $work/password,
       dashboard_url: "https://dash.example/kscope/"}
    - {name: smtps, type: email, url: "smtps://127.0.0.1:$smtps_port", tls_insecure: true,
       from: alerts@kscope.example, to: [oncall@example.com], username: kscope, password_env: KSCOPE_E2E_SMTP_PASSWORD}
    - {name: badauth, type: email, url: "smtp://127.0.0.1:$starttls_port", ca_file: $work/cert.pem, retries: 0,
       from: alerts@kscope.example, to: [oncall@example.com], username: kscope, password_file: $work/wrong-password}
  rules:
    - name: FailingOpens
      severity: critical
      target: $comm
      for: 1s
      capture: 1s
      threshold:
        metric: kscope_syscall_errors_total
        match: {syscall: openat, errno: ENOENT}
        op: ">"
        value: 100/s
YAML
"$KSCOPE" run --check-config "$work/kscope.yaml" || fail "config rejected"
start_kscope --config "$work/kscope.yaml"

# 2000 failing openat per second (over the 100/s threshold) for 5 seconds.
"$KSCOPE_WORKLOAD_DIR/failing_opens" "$comm" 2000 5 &
WL=$!

mails() { ls "$work/mail/$1"-*.json 2>/dev/null | wc -l; }
for _ in $(seq 1 80); do
  [[ $(mails plain) -ge 1 && $(mails starttls) -ge 1 && $(mails smtps) -ge 1 ]] && break
  sleep 0.25
done
[[ $(mails plain) -ge 1 && $(mails starttls) -ge 1 && $(mails smtps) -ge 1 ]] ||
  { cat "$KSCOPE_LOG"; cat "$work/smtp.log"; ls "$work/mail"; fail "a firing e-mail did not arrive"; }

# Each message: headers, then a body with the facts and the links.
check_mail() {  # $1: listener, $2: RESOLVED or FIRING, $3: dashboard
  /usr/bin/python3 - "$work/mail/$1-$4.json" "$1" "$2" "$comm" "$3" <<'PY'
import email, email.policy, email.utils, json, sys
rec = json.load(open(sys.argv[1]))
listener, status, comm, dashboard = sys.argv[2:6]
m = email.message_from_string(rec["data"], policy=email.policy.default)
subject = str(m["Subject"])
assert subject.startswith("[%s] critical: FailingOpens on %s (" % (status, comm)), subject
for h in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version"):
    assert m[h], "missing header " + h
email.utils.parsedate_to_datetime(str(m["Date"]))
assert str(m["Message-ID"]).endswith("@kscope.example>"), m["Message-ID"]
assert "\r\n" in rec["data"] and "\n" not in rec["data"].replace("\r\n", ""), "bare LF in the message"
body = m.get_content()
assert "Value:       " in body and "(threshold 100/s)" in body, body
assert "Since:       " in body and " UTC" in body, body
assert "Host:        " in body, body
assert "Alert:       http://kscope.e2e.example:9494/api/v1/alerts?rule=FailingOpens" in body, body
if status == "FIRING":
    assert "Flame graph: http://kscope.e2e.example:9494/api/v1/captures/" in body and "/cpu.svg" in body, body
else:
    assert "Resolved:    " in body, body
assert "Dashboard: %s/" % dashboard in body, body
if listener == "plain":
    assert rec["rcpt_tos"] == ["oncall@example.com", "ops@example.com"], rec["rcpt_tos"]
    assert [a.addr_spec for a in m["To"].addresses] == ["oncall@example.com", "ops@example.com"], m["To"]
    assert m["From"].addresses[0].display_name == "kscope e2e", m["From"]
    assert not rec["tls"] and not rec["authenticated"], rec
else:
    assert rec["tls"] and rec["auth"] == "kscope", rec
assert rec["mail_from"] == "alerts@kscope.example", rec["mail_from"]
print("%s %s: %s" % (listener, status, subject))
PY
}
check_mail plain FIRING http://kscope.e2e.example:9494 1 || fail "plain relay: the firing e-mail is not right"
check_mail starttls FIRING https://dash.example/kscope 1 || fail "starttls: the firing e-mail is not right"
check_mail smtps FIRING http://kscope.e2e.example:9494 1 || fail "smtps: the firing e-mail is not right"

wait "$WL"
for _ in $(seq 1 80); do
  [[ $(mails plain) -ge 2 && $(mails starttls) -ge 2 && $(mails smtps) -ge 2 ]] && break
  sleep 0.25
done
[[ $(mails plain) -ge 2 && $(mails starttls) -ge 2 && $(mails smtps) -ge 2 ]] ||
  { cat "$KSCOPE_LOG"; ls "$work/mail"; fail "a resolved e-mail did not arrive"; }
check_mail plain RESOLVED http://kscope.e2e.example:9494 2 || fail "plain relay: the resolved e-mail is not right"
check_mail smtps RESOLVED http://kscope.e2e.example:9494 2 || fail "smtps: the resolved e-mail is not right"

# Health: the good sinks' last success, the bad one's error; the counters.
curl -fsS "$KSCOPE_URL/api/v1/health" | /usr/bin/python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(sys.stdin)["alert_sinks"]}
for name in ("relay", "starttls", "smtps"):
    assert s[name]["up"] and s[name]["last_success"] and s[name]["type"] == "email", s[name]
bad = s["badauth"]
assert not bad["up"] and bad["last_success"] is None and bad["last_error_at"], bad
assert "Login denied" in bad["last_error"] and "wrong" not in bad["last_error"], bad
' || fail "health does not show the sinks' last success and error"
# (the counters are in the next snapshot: up to one interval later)
for _ in $(seq 1 20); do
  url_has "$KSCOPE_URL/metrics" '^kscope_alert_notifications_total{sink="starttls",result="sent"} 2$' && break
  sleep 0.25
done
metrics=$(curl -fsS "$KSCOPE_URL/metrics")
grep -q '^kscope_alert_notifications_total{sink="starttls",result="sent"} 2$' <<<"$metrics" ||
  fail "starttls: not 2 sent: $(grep notifications_total <<<"$metrics")"
grep -q '^kscope_alert_notifications_total{sink="badauth",result="failed"} [1-9]' <<<"$metrics" ||
  fail "badauth: no failure counted: $(grep notifications_total <<<"$metrics")"
[[ $(ls "$work/mail" | grep -c .) -eq 7 ]] || fail "unexpected mail: $(ls "$work/mail")"
echo "ok: firing and resolved e-mails over plain SMTP, STARTTLS and smtps; a bad password is reported"
