# Helpers for the e2e scripts (sourced, not a test itself).
set -euo pipefail

# Each test script has an instance lock of its own (agent/instance_lock.h):
# agents of other checkouts testing on the same host are not "a second
# kscope run" to it.
export KSCOPE_LOCK_FILE=${KSCOPE_LOCK_FILE:-${TMPDIR:-/tmp}/kscope-e2e-$$.lock}
# And alert state of its own (alerts.state_dir's default moves there): one
# test's firing alerts are not restored into the next test's agent.
export KSCOPE_STATE_DIR=${KSCOPE_STATE_DIR:-${TMPDIR:-/tmp}/kscope-e2e-state-$$}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

require_root() { [[ $(id -u) -eq 0 ]] || skip "needs root"; }

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts `kscope run` in the background on a free port: sets KSCOPE_PID,
# KSCOPE_URL and KSCOPE_LOG, and waits until /api/v1/health answers.
start_kscope() {
  local port
  port=$(free_port)
  KSCOPE_LOG=$(mktemp)
  "$KSCOPE" run --listen "127.0.0.1:$port" "$@" >"$KSCOPE_LOG" 2>&1 &
  KSCOPE_PID=$!
  KSCOPE_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -fsS "$KSCOPE_URL/api/v1/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "$KSCOPE_PID" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "kscope run exited"; }
    sleep 0.1
  done
  cat "$KSCOPE_LOG"
  fail "kscope run did not answer on $KSCOPE_URL"
}

stop_kscope() {
  if [[ -n "${KSCOPE_PID:-}" ]] && kill -0 "$KSCOPE_PID" 2>/dev/null; then
    kill -INT "$KSCOPE_PID"
    wait "$KSCOPE_PID" || true
  fi
}

# Succeeds when the body of URL $1 has a line matching basic regex $2; fails
# the test if the URL cannot be read. (Not `curl | grep -q`: grep quits at
# the first match, curl then fails writing the rest of a large body, and
# pipefail turns the match into a failure.)
url_has() {
  local body
  body=$(curl -fsS "$1") || fail "cannot read $1"
  grep -q -- "$2" <<<"$body"
}

# Succeeds when process $1 holds the fd that keeps the kernel's BPF run-time
# statistics on (BPF_ENABLE_STATS).
# (No `ls | grep -q`: under pipefail grep's early exit fails the pipe.)
holds_bpf_stats() { [[ "$(ls -l "/proc/$1/fd" 2>/dev/null)" == *anon_inode:bpf-stats* ]]; }

# Succeeds when process $1 has libcurl mapped. kscope dlopens it on the
# first webhook or Alertmanager POST, never before.
maps_libcurl() { grep -q '/libcurl[.-]' "/proc/$1/maps"; }

# The probe families of the default config (the keys of its probes:
# section), one a line, in order.
config_probe_families() {
  "$KSCOPE" run --print-default-config |
    awk '/^probes:/ { p = 1; next } /^[^ #]/ { p = 0 } p && /^  [a-z0-9_]+:/ { sub(/:.*/, ""); sub(/^ +/, ""); print }'
}

# Waits (10 s at most) until /api/v1/health lists the probe family $1 as up.
wait_probe_up() {
  local deadline=$((SECONDS + 10))
  until curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c '
import json, sys
sys.exit(0 if any(p["name"] == sys.argv[1] and p["up"] for p in json.load(sys.stdin)["probes"]) else 1)' "$1"; do
    ((SECONDS < deadline)) || { cat "$KSCOPE_LOG"; fail "health never says $1 is up"; }
    sleep 0.1
  done
}

# settled SECONDS MESSAGE CHECK: runs the function CHECK (which prints why
# it fails) every 0.5 s until it succeeds, failing the test with MESSAGE
# and CHECK's words after SECONDS; then once more a collector interval
# later, so that a count that only grows cannot pass on its way above the
# truth.
settled() {
  local deadline=$((SECONDS + $1)) why
  until why=$("$3"); do
    ((SECONDS < deadline)) || fail "$2: $why"
    sleep 0.5
  done
  sleep 1.2
  why=$("$3") || fail "$2, one interval later: $why"
}

# Starts nginx in the background on 127.0.0.1:$2, one worker, no access
# log, the server block's lines given as $3...: its config, pid and error
# log in folder $1. Sets NGINX_PID; waits (5 s at most) until it accepts.
start_nginx() {
  local dir=$1 port=$2
  shift 2
  {
    printf 'worker_processes 1;\ndaemon off;\npid %s/nginx.pid;\nerror_log %s/error.log;\n' "$dir" "$dir"
    printf 'events { worker_connections 64; }\nhttp {\n  access_log off;\n  server {\n    listen 127.0.0.1:%s;\n' "$port"
    printf '    %s\n' "$@"
    printf '  }\n}\n'
  } >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  NGINX_PID=$!
  local deadline=$((SECONDS + 5))
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.5).close()" 2>/dev/null; do
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$dir/error.log"; fail "nginx exited at start"; }
    ((SECONDS < deadline)) || fail "nginx does not accept on 127.0.0.1:$port"
    sleep 0.05
  done
}

# Waits for the collector to publish a snapshot newer than now (>1 interval).
wait_interval() { sleep "${1:-1.5}"; }

# Kills and reaps the given background pids; a killed child's status never
# becomes the test's (set -e).
kill_and_reap() {
  local p
  for p in "$@"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}

# `promtool check metrics` on file $1; prints its complaints and fails
# (returns 1) on any but one: node_exporter's own names (node_memory_MemTotal_bytes,
# node_netstat_Tcp_RetransSegs, ...) are camelCase, which promtool's lint
# flags, and kscope keeps them so that node_exporter's dashboards work.
promtool_check() {
  local out rc=0 rest
  out=$(promtool check metrics <"$1" 2>&1) || rc=$?
  ((rc == 0)) && return 0
  rest=$(grep -vE "^node_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'$" <<<"$out" || true)
  # 3: lint problems only (1 is a parse error, never accepted).
  if ((rc == 3)) && [[ -z "$rest" ]]; then return 0; fi
  echo "$out"
  return 1
}

# The mount point of the cgroup v1 hierarchy holding controller $1 (cpu,
# cpuacct, memory, ...), from /proc/self/mounts; empty when none (pure v2).
cgroup_v1_mount() {
  awk -v c="$1" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/self/mounts
}

# The cgroup2 mount point (hybrid hosts: /sys/fs/cgroup/unified); empty when none.
cgroup2_mount() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

# cpu_limited_cgroup NAME QUOTA_US: a cgroup limited to QUOTA_US of CPU time
# per 100 ms period, wherever this host has the cpu controller: the v1 cpu
# (and cpuacct) hierarchies plus the same path under the cgroup2 mount, as
# systemd makes it on a hybrid host (the cgroup breakdown names tasks by
# their cgroup2 path), or cgroup2's cpu.max. Adds its directories to
# CGROUP_DIRS and sets CGROUP_PROCS to its cgroup.procs files (write a pid
# into each); returns 1 when there is no cpu controller. remove_cgroups
# kills whatever is left in them and removes them.
CGROUP_DIRS=()
CGROUP_PROCS=()
cpu_limited_cgroup() {
  local name=$1 quota=$2 cpu acct unified
  cpu=$(cgroup_v1_mount cpu) acct=$(cgroup_v1_mount cpuacct) unified=$(cgroup2_mount)
  CGROUP_PROCS=()
  if [[ -n $cpu ]]; then
    mkdir "$cpu/$name"
    CGROUP_DIRS+=("$cpu/$name")
    CGROUP_PROCS+=("$cpu/$name/cgroup.procs")
    echo 100000 >"$cpu/$name/cpu.cfs_period_us"
    echo "$quota" >"$cpu/$name/cpu.cfs_quota_us"
    if [[ -n $acct && $acct != "$cpu" ]]; then
      mkdir "$acct/$name"
      CGROUP_DIRS+=("$acct/$name")
      CGROUP_PROCS+=("$acct/$name/cgroup.procs")
    fi
    if [[ -n $unified ]]; then
      mkdir "$unified/$name"
      CGROUP_DIRS+=("$unified/$name")
      CGROUP_PROCS+=("$unified/$name/cgroup.procs")
    fi
    return 0
  fi
  [[ -n $unified ]] && grep -qw cpu "$unified/cgroup.controllers" || return 1
  echo "+cpu" >"$unified/cgroup.subtree_control" 2>/dev/null || return 1
  mkdir "$unified/$name"
  CGROUP_DIRS+=("$unified/$name")
  CGROUP_PROCS+=("$unified/$name/cgroup.procs")
  echo "$quota 100000" >"$unified/$name/cpu.max"
}

remove_cgroups() {
  local d p
  for d in "${CGROUP_DIRS[@]}"; do
    [[ -f "$d/cgroup.procs" ]] && for p in $(cat "$d/cgroup.procs"); do kill -9 "$p" 2>/dev/null || true; done
  done
  sleep 0.2
  for d in "${CGROUP_DIRS[@]}"; do rmdir "$d" 2>/dev/null || true; done
}

# start_kscope_l7 CONFIG [CAPTURE_BYTES]: writes CONFIG (interval 1s, the
# l7 probe on, capture_bytes when given), starts `kscope run` with it and
# waits until the probe is up.
start_kscope_l7() {
  {
    printf 'interval: 1s\nprobes:\n  l7:\n    enabled: true\n'
    [[ -n "${2:-}" ]] && printf '    capture_bytes: %s\n' "$2"
  } >"$1"
  start_kscope --config "$1"
  wait_probe_up l7
}
