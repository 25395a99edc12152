#!/usr/bin/env bash
# deploy/kubernetes/kscope-daemonset.yaml and deploy/prometheus/scrape-kscope.yaml
# against the binary (no cluster here): the container adds exactly the
# capabilities `kscope check` says `kscope run` keeps and drops the rest,
# runs unprivileged with hostPID, mounts BTF and the cgroup hierarchy read
# only, its probes, annotation, config and scrape config agree on one port
# (kubernetes_manifest.py); and the ConfigMap's config, run under those
# capabilities with no_new_privs (allowPrivilegeEscalation: false), passes
# --check-config, attaches and answers the probes' path.
source "$(dirname "$0")/lib.sh"
require_root
root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cleanup() { stop_kscope; rm -f "${cfg:-}"; }
trap cleanup EXIT

check=$("$KSCOPE" check 2>&1) || fail "kscope check failed: $check"
kept=$(awk '$1 == "capabilities" { print $3 }' <<<"$check")
cfg=$(mktemp --suffix=.yaml)
read -r port caps < <(python3 "$root/tests/e2e/kubernetes_manifest.py" "$root" "$kept" "$cfg") ||
  fail "the manifests disagree with kscope (above)"
[[ -n "$caps" ]] || fail "kubernetes_manifest.py printed no capabilities"
"$KSCOPE" run --check-config "$cfg" >/dev/null || fail "the ConfigMap's config does not check"

# As in the pod: root with only the container's capabilities, no_new_privs.
# The listen address is ours (port $port may be in use on this host).
lport=$(free_port)
KSCOPE_LOG=$(mktemp)
setpriv --no-new-privs --bounding-set "$caps" --inh-caps -all -- \
  "$KSCOPE" run --config "$cfg" --listen "127.0.0.1:$lport" >"$KSCOPE_LOG" 2>&1 &
KSCOPE_PID=$!
KSCOPE_URL="http://127.0.0.1:$lport"
for _ in $(seq 1 150); do
  grep -q 'capabilities dropped' "$KSCOPE_LOG" && curl -fsS "$KSCOPE_URL/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$KSCOPE_PID" 2>/dev/null || { cat "$KSCOPE_LOG"; fail "kscope run exited with the pod's capabilities"; }
  sleep 0.1
done
health=$(curl -fsS "$KSCOPE_URL/api/v1/health") || { cat "$KSCOPE_LOG"; fail "no health answer with the pod's capabilities"; }
wait_interval
grep -q '^kscope_probe_up{probe="syscalls"} 1$' <<<"$(curl -fsS "$KSCOPE_URL/metrics")" ||
  fail "syscalls probe not up with the pod's capabilities: $health"
echo "ok: the DaemonSet adds $kept, port $port; the agent starts with exactly those"
