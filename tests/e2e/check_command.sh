#!/usr/bin/env bash
# `kscope check`: as root it reports the kernel and each probe family of the config and exits 0;
# as an unprivileged user it prints one clear sentence and exits 1.
source "$(dirname "$0")/lib.sh"
require_root
out=$("$KSCOPE" check 2>&1) || fail "kscope check failed as root: $out"
grep -Eq '^bpf run stats +ok ' <<<"$out" || fail "kscope check does not report BPF run stats as ok: $out"
grep -q '^probe syscalls .*ok' <<<"$out" || fail "syscalls probe not ok: $out"
grep -q '^btf .*ok' <<<"$out" || fail "btf line missing: $out"
families=$(config_probe_families)
[[ $(wc -l <<<"$families") -ge 7 ]] || fail "the default config has fewer than seven probe families: $families"
listed=$(awk '/^probe / { print $2 }' <<<"$out")
[[ "$listed" == "$families" ]] || fail "kscope check lists probes $(echo $listed), the config has $(echo $families)"

set +e
nonroot=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$KSCOPE" check 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "non-root kscope check exited $rc, want 1: $nonroot"
[[ $(wc -l <<<"$nonroot") -eq 1 ]] || fail "non-root output is not one line: $nonroot"
grep -q 'missing CAP_BPF and CAP_PERFMON: run as root' <<<"$nonroot" || fail "unclear message: $nonroot"
echo "ok: $nonroot"
