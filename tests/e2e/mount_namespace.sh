#!/usr/bin/env bash
# kscope in a mount namespace of its own (as in a DaemonSet pod with the
# host's PID namespace, or `docker run --pid=host`) reports the host's
# filesystems, those of PID 1's mount namespace, not its own: a tmpfs
# mounted on the host after kscope started is a node_filesystem_size_bytes
# series with its exact size, and a tmpfs mounted only in kscope's namespace
# is not.
#
# The "host" is simulated: a new PID and mount namespace whose PID 1 is this
# test's shell (the machine's real PID 1 may not be ours to look into), and
# kscope in a mount namespace below it.
source "$(dirname "$0")/lib.sh"
require_root
command -v unshare >/dev/null || skip "unshare missing"
unshare -m -p --fork --mount-proc --propagation private true 2>/dev/null ||
  skip "cannot create PID and mount namespaces here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/host_only" "$work/own_only"

cat >"$work/inner.sh" <<'SH'
# Runs as PID 1 of the new namespaces: the "host".
source "$LIB"
work=$1
trap 'stop_kscope; umount "$work/host_only" 2>/dev/null || true' EXIT
real=$KSCOPE
cat >"$work/kscope_in_ns" <<WRAP
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t tmpfs -o size=3m kscope_own "\$0" && exec "\$@"' \
  "$work/own_only" "$real" "\$@"
WRAP
chmod +x "$work/kscope_in_ns"
KSCOPE="$work/kscope_in_ns" start_kscope
[[ "$(readlink "/proc/$KSCOPE_PID/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ]] ||
  fail "kscope runs in PID 1's mount namespace: the test set-up did not work"

# Mounted on the "host" after kscope started: kscope's namespace never sees it.
mount -t tmpfs -o size=5m kscope_host "$work/host_only" || skip "cannot mount a tmpfs here"
wait_interval 2
curl -fsS "$KSCOPE_URL/metrics" >"$work/m.txt"
line=$(grep "^node_filesystem_size_bytes{.*mountpoint=\"$work/host_only\"" "$work/m.txt") ||
  fail "the host's tmpfs is missing: $(grep -c '^node_filesystem_size_bytes' "$work/m.txt") filesystems listed"
[[ "${line##* }" == "$((5 << 20))" ]] || fail "host tmpfs size: $line, expected $((5 << 20))"
if grep -q "mountpoint=\"$work/own_only\"" "$work/m.txt"; then
  fail "kscope listed its own namespace's tmpfs as a host filesystem"
fi
echo "PASS: host filesystems from kscope's own mount namespace ($line)"
SH
LIB="$(dirname "$0")/lib.sh" KSCOPE=$KSCOPE unshare -m -p --fork --mount-proc --propagation private \
  bash "$work/inner.sh" "$work"
