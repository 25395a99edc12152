#!/usr/bin/env bash
# The host's resources (resources.host) against the kernel's own files at the
# same moment: each counter kscope exports lies between the file read just
# before its snapshot and the file read just after the scrape (PSI totals,
# CPU idle, context switches, loopback bytes), MemTotal and the root
# filesystem's size equal the files' exactly, the loopback delta covers the
# bytes this test sends over lo, a tmpfs mounted on a hostile path (space,
# quotes, newline) is a node_filesystem_size_bytes series with its exact
# size and the path escaped, and promtool accepts the exposition. With
# resources.export_node_metrics: false no node_* line is in /metrics.
source "$(dirname "$0")/lib.sh"
require_root
command -v python3 >/dev/null || skip "python3 missing"
work=$(mktemp -d)
hostile="$work/mnt \"q\""$'\n'"x"
cleanup() {
  stop_kscope
  umount "$hostile" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$hostile"
mount -t tmpfs -o size=7m kscope_e2e "$hostile" || skip "cannot mount a tmpfs here"

start_kscope
snap_files() {  # $1: folder; the files compared, read back to back
  mkdir -p "$1"
  for f in meminfo loadavg stat net/dev pressure/cpu pressure/io pressure/memory; do
    cat "/proc/$f" >"$1/$(tr / _ <<<"$f")" 2>/dev/null || true
  done
}

snap_files "$work/a0"
wait_interval 2
curl -fsS "$KSCOPE_URL/metrics" >"$work/m0.txt"
snap_files "$work/b0"

# Known traffic over lo: 32 MiB through a TCP connection, within 60 s.
sent=$((32 << 20))
timeout 60 python3 - "$sent" <<'PY' || fail "could not send the loopback traffic"
import socket, sys, threading
n = int(sys.argv[1])
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
got = [0]
def sink():
    c, _ = srv.accept()
    while got[0] < n:
        b = c.recv(1 << 20)
        if not b: break
        got[0] += len(b)
t = threading.Thread(target=sink); t.start()
s = socket.create_connection(srv.getsockname())
buf = b"x" * (1 << 20)
for _ in range(n >> 20): s.sendall(buf)
s.close(); t.join()
assert got[0] == n, got[0]
PY

snap_files "$work/a1"
wait_interval 2
curl -fsS "$KSCOPE_URL/metrics" >"$work/m1.txt"
snap_files "$work/b1"

python3 - "$work" "$sent" "$hostile" <<'PY' || fail "kscope's host figures disagree with /proc (above)"
import os, re, sys
work, sent, hostile = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def metrics(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.rstrip("\n").rpartition(" ")
        out[key] = float(value)
    return out

def read(folder, name):
    p = os.path.join(work, folder, name)
    return open(p).read() if os.path.exists(p) else None

def meminfo(folder):
    return {l.split(":")[0]: int(l.split()[1]) for l in read(folder, "meminfo").splitlines()}

def lo(folder, col):  # /proc/net/dev column of lo (0 = receive bytes)
    for l in read(folder, "net_dev").splitlines():
        if l.strip().startswith("lo:"):
            return int(l.split(":", 1)[1].split()[col])

def stat(folder, key):
    for l in read(folder, "stat").splitlines():
        f = l.split()
        if f and f[0] == key:
            return f[1:]

def psi(folder, res, kind):
    t = read(folder, "pressure_" + res)
    if t is None:
        return None
    for l in t.splitlines():
        if l.startswith(kind):
            return int(l.split("total=")[1])

errors = []
def between(what, lo_, got, hi, slack=0.0):
    ok = got is not None and lo_ - slack <= got <= hi + slack
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {lo_} <= {got} <= {hi}")
    if not ok:
        errors.append(what)

m0, m1 = metrics(f"{work}/m0.txt"), metrics(f"{work}/m1.txt")
hz = os.sysconf("SC_CLK_TCK")

# MemTotal exactly; MemAvailable as read around the scrape.
want = meminfo("b1")["MemTotal"] * 1024
between("node_memory_MemTotal_bytes", want, m1.get("node_memory_MemTotal_bytes"), want)
avail = sorted([meminfo("a1")["MemAvailable"] * 1024, meminfo("b1")["MemAvailable"] * 1024])
between("node_memory_MemAvailable_bytes (within the interval's change)", avail[0] - (64 << 20),
        m1.get("node_memory_MemAvailable_bytes"), avail[1] + (64 << 20))

# Counters bracketed by the files read before the snapshot and after the scrape.
for tag, m, a, b in (("before", m0, "a0", "b0"), ("after", m1, "a1", "b1")):
    between(f"node_network_receive_bytes_total{{lo}} {tag}", lo(a, 0),
            m.get('node_network_receive_bytes_total{device="lo"}'), lo(b, 0))
    between(f"node_network_transmit_packets_total{{lo}} {tag}", lo(a, 9),
            m.get('node_network_transmit_packets_total{device="lo"}'), lo(b, 9))
    between(f"node_context_switches_total {tag}", int(stat(a, "ctxt")[0]), m.get("node_context_switches_total"),
            int(stat(b, "ctxt")[0]))
    between(f"node_cpu_seconds_total{{cpu=0,idle}} {tag}", int(stat(a, "cpu0")[3]) / hz,
            m.get('node_cpu_seconds_total{cpu="0",mode="idle"}'), int(stat(b, "cpu0")[3]) / hz, 1e-9)
    for res, kind, name in (("cpu", "some", "cpu_waiting"), ("io", "some", "io_waiting"), ("io", "full", "io_stalled"),
                            ("memory", "some", "memory_waiting"), ("memory", "full", "memory_stalled")):
        if psi(a, res, kind) is None:
            if f"node_pressure_{name}_seconds_total" in m:
                errors.append(f"node_pressure_{name} exported without /proc/pressure/{res}")
            continue
        between(f"node_pressure_{name}_seconds_total {tag}", psi(a, res, kind) / 1e6,
                m.get(f"node_pressure_{name}_seconds_total"), psi(b, res, kind) / 1e6, 1e-6)
    # load averages change every 5 s: the value is the first or the second file's.
    loads = {float(read(a, "loadavg").split()[0]), float(read(b, "loadavg").split()[0])}
    if m.get("node_load1") not in loads:
        errors.append(f"node_load1 {m.get('node_load1')} is neither of the files' {loads}")

# The loopback traffic this test sent is in the delta, and the delta is no
# more than the file's over a longer span (other processes use lo too).
key = 'node_network_receive_bytes_total{device="lo"}'
delta = m1[key] - m0[key]
between("lo receive delta covers the bytes sent", sent, delta, lo("b1", 0) - lo("a0", 0))

# PSI totals are monotonic.
for k in m0:
    if k.startswith("node_pressure_") and m1.get(k, -1) < m0[k]:
        errors.append(f"{k} went down")

# CPU series: 8 modes per CPU.
ncpu = sum(1 for l in read("b1", "stat").splitlines() if re.match(r"cpu\d+ ", l))
got = sum(1 for k in m1 if k.startswith("node_cpu_seconds_total{"))
if got != ncpu * 8:
    errors.append(f"{got} node_cpu_seconds_total series, want {ncpu} CPUs x 8 modes")

# The root filesystem's size is statvfs's; the hostile tmpfs is there, escaped.
st = os.statvfs("/")
roots = [v for k, v in m1.items() if k.startswith("node_filesystem_size_bytes{") and 'mountpoint="/",' in k]
if roots != [st.f_blocks * st.f_frsize] * len(roots) or not roots:
    errors.append(f"node_filesystem_size_bytes of / is {roots}, statvfs says {st.f_blocks * st.f_frsize}")
escaped = hostile.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
want = f'node_filesystem_size_bytes{{device="kscope_e2e",mountpoint="{escaped}",fstype="tmpfs"}}'
if m1.get(want) != 7 << 20:
    errors.append(f"no {want} 7340032 (got {m1.get(want)})")
for k in m1:
    if k.startswith("node_filesystem_") and ('mountpoint="/proc"' in k or 'fstype="cgroup' in k or 'fstype="proc"' in k):
        errors.append(f"a pseudo filesystem is exported: {k}")

if errors:
    print("\n".join("FAIL " + e for e in errors))
    sys.exit(1)
PY
lint=$(promtool_check "$work/m1.txt") || fail "promtool check metrics rejected /metrics: $lint"
# /api/v1/health lists the kernel files read, each available or why not.
curl -fsS "$KSCOPE_URL/api/v1/health" | python3 -c '
import json, sys
h = json.load(sys.stdin)
src = {s["name"]: s for s in h.get("sources", [])}
for name in ("meminfo", "diskstats", "pressure"):
    assert name in src, f"health lists no source {name}: {list(src)}"
assert src["meminfo"]["available"] is True and src["meminfo"]["detail"].endswith("/meminfo"), src["meminfo"]
assert src["pressure"]["available"] is True, src["pressure"]
' || fail "/api/v1/health does not list the host sources"
stop_kscope

# node_exporter beside kscope: the host figures are read but not exported.
printf 'resources:\n  export_node_metrics: false\n' >"$work/config.yaml"
start_kscope --config "$work/config.yaml"
wait_interval 2
curl -fsS "$KSCOPE_URL/metrics" >"$work/m2.txt"
if grep -q '^node_' "$work/m2.txt"; then fail "node_* lines in /metrics with export_node_metrics: false: $(grep -m3 '^node_' "$work/m2.txt")"; fi
grep -q '^# TYPE node_' "$work/m2.txt" && fail "node_* families declared with export_node_metrics: false"
grep -q '^kscope_host_series_dropped_total{collector="filesystem"} 0$' "$work/m2.txt" ||
  fail "the host source did not run with export_node_metrics: false"
echo "ok: host figures equal /proc's; none exported with export_node_metrics: false"
