# Sourced by tests/e2e/*.sh: skip rules, a free port, `kscope run` in the
# background with cleanup. Exit 77 means skipped.
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to load BPF probes"
[ -x "${KSCOPE:-}" ] || skip "KSCOPE is not set to the kscope binary"

WORK=$(mktemp -d)
KSCOPE_PID=""
cleanup() {
  [ -n "$KSCOPE_PID" ] && kill "$KSCOPE_PID" 2>/dev/null && wait "$KSCOPE_PID" 2>/dev/null
  for p in ${EXTRA_PIDS:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_kscope PORT [extra args]: runs `kscope run` and waits for /api/v1/health.
start_kscope() {
  local port=$1; shift
  "$KSCOPE" run --listen "127.0.0.1:$port" "$@" >"$WORK/kscope.log" 2>&1 &
  KSCOPE_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$KSCOPE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "kscope did not start:"; cat "$WORK/kscope.log"; exit 1
}
