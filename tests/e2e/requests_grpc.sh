#!/usr/bin/env bash
# gRPC calls end to end: `kscope run` with probes.l7 enabled watches a
# python3-grpcio server (grpc_peer.py) called by a python3-grpcio client:
# 30 calls answered OK, 12 answered UNAVAILABLE by the handler, one to a
# method the server does not have (UNIMPLEMENTED). /metrics must count
# exactly those, by method and status, on the server side
# (rpc_server_call_duration_seconds) and on the client side
# (rpc_client_call_duration_seconds, the server's port).
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
export PYTHONPATH="$here"  # family_counts.py
require_root
/usr/bin/python3 -c 'import grpc' 2>/dev/null || fail "python3-grpcio missing (scripts/packages.txt)"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill_and_reap "$server_pid"
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT

# grpcio's first write (preface, SETTINGS, WINDOW_UPDATE and the first
# call's HEADERS, ~300 bytes) is past the default capture of 256 bytes:
# docs/http2.md says gRPC wants 1024.
start_kscope_l7 "$work/kscope.yaml" 1024

# The server starts after the probe: its listening socket's connections
# are all seen from their first byte.
port=$(free_port)
/usr/bin/python3 "$here/grpc_peer.py" server "$port" >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 15))
until grep -q listening "$work/server.log"; do
  ((SECONDS < deadline)) || fail "grpc server did not start: $(cat "$work/server.log")"
  kill -0 "$server_pid" 2>/dev/null || fail "grpc server exited: $(cat "$work/server.log")"
  sleep 0.05
done
out=$(timeout 20 /usr/bin/python3 "$here/grpc_peer.py" client "$port" 30 12) || fail "grpc client failed: $out"
[[ "$out" == "done 30 12 1" ]] || fail "the client saw '$out', not 30 OK, 12 UNAVAILABLE, 1 UNIMPLEMENTED"

check() {
  curl -fsS "$KSCOPE_URL/metrics" >"$work/metrics.txt" || return 1
  python3 - "$work/metrics.txt" "$port" <<'PY'
import sys
import family_counts as fc
text, port = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
by = ("rpc_method", "rpc_grpc_status_code")
match = {"rpc_system_name": "grpc", "rpc_service": "kscope.test.Echo"}
server = fc.counts(text, "rpc_server_call_duration_seconds", by, **match)
client = fc.counts(text, "rpc_client_call_duration_seconds", by, server_port=port, **match)
want = {("Say", "0"): 30, ("Say", "14"): 12, ("Missing", "12"): 1}
fc.exit_if_differs({"server": server, "client": client}, want, text, "http2")
PY
}
settled 10 "gRPC calls in /metrics differ from what the client made" check
# The rpc families as Prometheus reads them.
command -v promtool >/dev/null || fail "promtool missing (scripts/packages.txt: prometheus)"
promtool_check "$work/metrics.txt" || fail "promtool rejects /metrics with the rpc families"
echo "ok: 30 OK, 12 UNAVAILABLE and 1 UNIMPLEMENTED gRPC calls counted exactly on both sides"
