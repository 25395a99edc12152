#!/usr/bin/env bash
# Least privilege of `kscope run`: once the probes are attached, every thread
# holds only the capabilities the agent still needs (common/capabilities.h),
# and nothing it could regain through exec (bounding set); with a token, every
# route but /metrics answers 401 without it.
source "$(dirname "$0")/lib.sh"
require_root
burner_pid=""
cleanup() {
  kill_and_reap $burner_pid
  stop_kscope
}
trap cleanup EXIT

token_file=$(mktemp)
echo "s3cret-$$" >"$token_file"
cfg=$(mktemp --suffix=.yaml)
printf 'http:\n  token_file: %s\n' "$token_file" >"$cfg"
port=$(free_port)
KSCOPE_LOG=$(mktemp)
"$KSCOPE" run --config "$cfg" --listen "127.0.0.1:$port" >"$KSCOPE_LOG" 2>&1 &
KSCOPE_PID=$!
KSCOPE_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL/metrics") == 200 ]] && break
  kill -0 "$KSCOPE_PID" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "kscope run exited"; }
  sleep 0.1
done
grep -q 'capabilities dropped' "$KSCOPE_LOG" || { cat "$KSCOPE_LOG"; fail "no capability drop logged"; }

# CAP_DAC_READ_SEARCH(2) CAP_SYS_PTRACE(19) CAP_SYSLOG(34) CAP_PERFMON(38) CAP_BPF(39)
want=$(python3 -c 'print(format(sum(1 << c for c in (2, 19, 34, 38, 39)), "016x"))')
threads=0
for status in /proc/"$KSCOPE_PID"/task/*/status; do
  for field in CapEff CapPrm CapBnd; do
    got=$(awk -v f="$field:" '$1 == f {print $2}' "$status")
    [[ "$got" == "$want" ]] || fail "$status $field=$got, want $want"
  done
  for field in CapInh CapAmb; do
    got=$(awk -v f="$field:" '$1 == f {print $2}' "$status")
    [[ "$got" == "0000000000000000" ]] || fail "$status $field=$got, want none"
  done
  threads=$((threads + 1))
done
[[ $threads -ge 3 ]] || fail "only $threads threads checked"

# Still working without the rest: metrics flow, the maps are read.
wait_interval
grep -q '^kscope_probe_up{probe="syscalls"} 1$' <<<"$(curl -fsS "$KSCOPE_URL/metrics")" || fail "syscalls probe not up after the drop"
grep -q '^kscope_syscall_latency_seconds_count' <<<"$(curl -fsS "$KSCOPE_URL/metrics")" || fail "no syscall data after the drop"

# On-demand profiling loads new programs after the drop: the kept
# CAP_BPF and CAP_PERFMON are enough. A busy process, so that the second
# has samples on an idle machine (idle CPUs are not profiled).
"$KSCOPE_WORKLOAD_DIR/cpu_burner" 30 &
burner_pid=$!
folded=$(curl -fsS --max-time 30 -H "Authorization: Bearer s3cret-$$" "$KSCOPE_URL/api/v1/profile?seconds=1&format=folded") ||
  fail "on-demand profile failed after the capability drop: $(tail -5 "$KSCOPE_LOG")"
grep -q 'burn_cpu_in_named_function' <<<"$folded" || fail "on-demand profile after the drop misses the busy process: ${folded:0:300}"
kill_and_reap "$burner_pid"
burner_pid=""

# The token: /metrics is open (protect_metrics: false), every data route 401.
# The dashboard's static page and assets are public by design (they carry no
# data and ask for the token); the WebSocket checks it at connect.
for path in /api/v1/health "/api/v1/query?name=x" /api/v1/events /api/v1/alerts /api/v1/captures; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL$path")
  [[ "$code" == 401 ]] || fail "GET $path without a token answered $code, want 401"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "$KSCOPE_URL$path")
  [[ "$code" == 401 ]] || fail "GET $path with a wrong token answered $code, want 401"
done
# Unknown paths fall to the static files: 404, no data, token or not.
for path in /api/v1/ /api/v1/nope /no/such/route; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL$path")
  [[ "$code" == 404 || "$code" == 401 ]] || fail "GET $path without a token answered $code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer s3cret-$$" "$KSCOPE_URL/api/v1/health")
[[ "$code" == 200 ]] || fail "health with the token answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$KSCOPE_URL/metrics")
[[ "$code" == 200 ]] || fail "/metrics without a token answered $code"
echo "ok: $threads threads at CapEff=CapBnd=$want, token enforced"
