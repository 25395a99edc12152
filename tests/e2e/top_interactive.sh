#!/usr/bin/env bash
# `kscope top` interactive on a real 80x24 pseudo-terminal (python's pty; tmux
# cannot start its server in this VM): the first frame lists the workload,
# opens sorted by CPU, pressing 3 sorts by p99 latency, 3 again inverts, v
# goes through the services and edges views to the cgroups view (its own
# columns, sorted by its CPU; t sorts by the throttled share) and back, q quits with status 0 and leaves the
# alternate screen; no frame line is wider than 80 columns.
source "$(dirname "$0")/lib.sh"
require_root
workload="$KSCOPE_WORKLOAD_DIR/syscall_workload"
[[ -x "$workload" ]] || fail "missing $workload"
pids=""
cleanup() {
  kill_and_reap $pids
  stop_kscope
}
trap cleanup EXIT
start_kscope
"$workload" kstop-pty 20000 1000 &
pids="$!"
sleep 3

python3 - "$KSCOPE" "$KSCOPE_URL" <<'PY' || fail "interactive kscope top"
import fcntl, os, pty, re, select, struct, sys, termios, time
kscope, url = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(kscope, [kscope, "top", "--url", url, "--interval", "1s"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
buf = b""
def read_for(sec):
    global buf
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                return
def last_frame():
    frames = buf.split(b"\x1b[H")
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", frames[-1]).decode("ascii")
    return [l.rstrip("\r") for l in text.split("\n")]
def wait_for(pattern, sec=10):
    end = time.time() + sec
    while time.time() < end:
        read_for(0.3)
        lines = last_frame()
        if any(re.search(pattern, l) for l in lines):
            return lines
    print("\n".join(last_frame()))
    raise SystemExit(f"never saw {pattern!r}")
lines = wait_for(r"^kstop-pty ")
assert len(lines) <= 24 and all(len(l) <= 80 for l in lines), lines
assert any(re.search(r"^sort: CPU cores busy", l) for l in lines), lines
os.write(fd, b"3")
lines = wait_for(r"^sort: p99 syscall latency, idle waits left out   keys")
os.write(fd, b"3")
wait_for(r"^sort: p99 syscall latency, idle waits left out \(ascending\)")
os.write(fd, b"v")
svc = wait_for(r"^kscope top services ")
assert all(len(l) <= 80 for l in svc), svc
os.write(fd, b"v")
wait_for(r"^kscope top edges ")
os.write(fd, b"v")
cg = wait_for(r"^CGROUP +CPU +LIMIT +THROTL%")
assert cg[0].startswith("kscope top cgroups "), cg[0]
assert cg[1].startswith("sort: CPU cores used (cgroup CPU time)   keys: 1-9/cltmupwbo"), cg[1]
assert len(cg) <= 24 and all(len(l) <= 80 for l in cg), cg
os.write(fd, b"t")
wait_for(r"^sort: share of CPU periods throttled by the limit   keys")
os.write(fd, b"v")
back = wait_for(r"^kscope top processes ")
assert any(re.search(r"^sort: CPU cores busy", l) for l in back), back
os.write(fd, b"q")
_, status = os.waitpid(pid, 0)
read_for(0.3)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
assert buf.rstrip().endswith(b"\x1b[?1049l"), buf[-40:]
print("\n".join(lines))
PY
echo "PASS"
