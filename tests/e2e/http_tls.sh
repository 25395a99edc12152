#!/usr/bin/env bash
# Optional TLS (http.tls_cert, http.tls_key): with a self-signed certificate
# from the openssl CLI, the API answers over HTTPS to a client trusting that
# certificate (curl --cacert), the dashboard's live feed works over WSS, an
# untrusting client and a plain-HTTP client get nothing, and --check-config
# names the line of a key without its partner or a file it cannot read.
source "$(dirname "$0")/lib.sh"
require_root
command -v openssl >/dev/null || skip "openssl is not installed"
trap stop_kscope EXIT
tmp=$(mktemp -d)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null \
  || fail "openssl could not make a certificate"

# --check-config: both or neither, and readable, with file:line:column.
printf 'http:\n  tls_cert: %s\n' "$tmp/cert.pem" >"$tmp/half.yaml"
out=$("$KSCOPE" run --check-config "$tmp/half.yaml" 2>&1) && fail "--check-config accepted a cert without a key"
grep -q "half.yaml:2:13: http.tls_cert: needs http.tls_key too" <<<"$out" || fail "unexpected message: $out"
printf 'http:\n  tls_cert: %s\n  tls_key: %s/nope.pem\n' "$tmp/cert.pem" "$tmp" >"$tmp/nokey.yaml"
out=$("$KSCOPE" run --check-config "$tmp/nokey.yaml" 2>&1) && fail "--check-config accepted a missing key file"
grep -q "nokey.yaml:3:12: http.tls_key: cannot read .*nope.pem" <<<"$out" || fail "unexpected message: $out"

printf 'interval: 500ms\nhttp:\n  tls_cert: %s\n  tls_key: %s\n' "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/tls.yaml"
"$KSCOPE" run --check-config "$tmp/tls.yaml" >/dev/null || fail "--check-config refused a valid TLS config"
port=$(free_port)
KSCOPE_LOG="$tmp/kscope.log"
"$KSCOPE" run --config "$tmp/tls.yaml" --listen "127.0.0.1:$port" >"$KSCOPE_LOG" 2>&1 &
KSCOPE_PID=$!
url="https://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS --cacert "$tmp/cert.pem" "$url/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$KSCOPE_PID" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "kscope run exited"; }
  sleep 0.1
done
body=$(curl -fsS --cacert "$tmp/cert.pem" "$url/api/v1/health") || { cat "$KSCOPE_LOG"; fail "no HTTPS answer"; }
grep -q '"status"' <<<"$body" || fail "health over HTTPS: $body"
# Keep-alive over TLS: several requests on one connection.
n=$(curl -sS --cacert "$tmp/cert.pem" -o /dev/null -w '%{http_code}\n' "$url/api/v1/health" "$url/metrics" \
  "$url/api/v1/health" | grep -c '^200$')
[[ $n == 3 ]] || fail "keep-alive over TLS answered $n of 3"
! curl -fsS "$url/api/v1/health" >/dev/null 2>&1 || fail "a client that does not trust the certificate got an answer"
! curl -fsS --max-time 5 "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 \
  || fail "plain HTTP was answered on the TLS port"

/usr/bin/python3 - "$port" "$tmp/cert.pem" <<'PY' || fail "the live feed over WSS did not work"
import asyncio, json, ssl, sys
import websockets

async def main():
    ctx = ssl.create_default_context(cafile=sys.argv[2])
    async with websockets.connect(f"wss://127.0.0.1:{sys.argv[1]}/ws", ssl=ctx) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert hello["type"] == "hello", hello
        await ws.send(json.dumps({"subscribe": {"id": "a", "name": "kscope_syscall_latency_seconds", "aggregation": "p99"}}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if msg["type"] == "update":
                assert msg["id"] == "a", msg
                return

asyncio.run(main())
PY
kill -0 "$KSCOPE_PID" || fail "kscope run died"
echo "ok: HTTPS and WSS with a self-signed certificate; untrusting and plain clients refused"
