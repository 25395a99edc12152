#!/usr/bin/env bash
# The service map across network namespaces: a server in a namespace of its
# own (as a container's), reached over a veth pair at that namespace's
# address, is resolved to the process listening there (named netns-server),
# though kscope runs in the host's namespace and its /proc/net/tcp does not
# show that socket. The namespace's loopback is not taken for the host's.
source "$(dirname "$0")/lib.sh"
require_root
command -v ip >/dev/null || fail "ip missing (iproute2)"
work=$(mktemp -d)
ns=kscope-e2e-$$
veth=ksv$$
net=10.251.$((RANDOM % 250)).
server_pid="" client_pid=""
cleanup() {
  kill_and_reap $client_pid $server_pid
  stop_kscope
  ip netns del "$ns" 2>/dev/null || true
  ip link del "${veth}h" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns" || fail "cannot create a network namespace"
ip link add "${veth}h" type veth peer name "${veth}n" || fail "cannot create a veth pair"
ip link set "${veth}n" netns "$ns"
ip addr add "${net}1/30" dev "${veth}h"
ip link set "${veth}h" up
ip netns exec "$ns" ip addr add "${net}2/30" dev "${veth}n"
ip netns exec "$ns" ip link set "${veth}n" up
ip netns exec "$ns" ip link set lo up

# The server, in the namespace: HTTP on every address of it, port 8080.
ip netns exec "$ns" /usr/bin/python3 -c '
import ctypes, http.server
ctypes.CDLL(None).prctl(15, b"netns-server", 0, 0, 0)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "3"); self.end_headers(); self.wfile.write(b"ok\n")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()' &
server_pid=$!
deadline=$((SECONDS + 5))
until curl -fsS "http://${net}2:8080/" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "the server in the namespace does not answer at ${net}2:8080"
  sleep 0.05
done

printf 'interval: 1s\nprobes:\n  l7:\n    enabled: true\n' >"$work/kscope.yaml"
start_kscope --config "$work/kscope.yaml"
wait_probe_up l7

# The client, in the host's namespace: keep-alive GETs for 30 s at most.
/usr/bin/python3 - "${net}2" <<'PY' &
import ctypes, http.client, sys, time
ctypes.CDLL(None).prctl(15, b"netns-client", 0, 0, 0)
c = http.client.HTTPConnection(sys.argv[1], 8080, timeout=2)
end = time.time() + 30
while time.time() < end:
    c.request("GET", "/"); c.getresponse().read()
    time.sleep(0.02)
PY
client_pid=$!

check_map() {
  curl -fsS "$KSCOPE_URL/api/v1/services" | python3 -c '
import json, sys
j = json.load(sys.stdin)
mine = [e for e in j["edges"] if e["client"] == "netns-client" and e["protocol"] == "http"]
ok = len(mine) == 1 and mine[0]["server"]["address"] == sys.argv[1] and mine[0]["server"]["port"] == "8080" \
    and mine[0]["server"].get("process") == "netns-server" and mine[0]["requests_per_second"] > 0
print(("ok: " if ok else "not yet: ") + json.dumps(mine))
sys.exit(0 if ok else 1)' "${net}2"
}
deadline=$((SECONDS + 20))
until out=$(check_map); do
  ((SECONDS < deadline)) || { echo "$out"; fail "/api/v1/services does not resolve ${net}2:8080 to netns-server"; }
  sleep 0.5
done
echo "$out"
