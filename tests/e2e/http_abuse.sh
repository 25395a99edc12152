#!/usr/bin/env bash
# Slow and malformed clients don't stall the HTTP server: while many
# connections dribble a request byte by byte (slowloris), send huge headers
# or garbage, a normal request still answers within a few seconds, and the
# abusers are cut off by the request timeout and size limit.
source "$(dirname "$0")/lib.sh"
require_root
trap stop_kscope EXIT
start_kscope

port=${KSCOPE_URL##*:}
python3 - "$port" <<'PY' || fail "server stalled or misbehaved under abusive clients"
import socket, sys, threading, time, urllib.request

port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s

# 1. Slowloris: 40 clients, each sends a partial request line and then one
# header byte every second (more clients than server threads).
slow = []
opened = []
for _ in range(40):
    try:
        s = conn()
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
        opened.append(s)
    except OSError:
        pass
stop = False
def dribble():
    while not stop:
        for s in list(slow):
            try:
                s.sendall(b"X")
            except OSError:
                slow.remove(s)
        time.sleep(1)
threading.Thread(target=dribble, daemon=True).start()

# 2. Huge headers: 1 MB of header lines must be refused, not buffered forever.
def huge():
    s = conn()
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-A: " + b"a" * (1 << 20) + b"\r\n\r\n")
        return s.recv(100)
    except OSError:
        return b"closed"
    finally:
        s.close()
reply = huge()
assert reply == b"" or reply == b"closed" or b" 413 " in reply or b" 431 " in reply or b" 400 " in reply, reply

# 3. Garbage and a negative Content-Length.
for junk in (b"\x00\xff\r\n\r\n", b"GET\r\n\r\n", b"POST /api/v1/health HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
             b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
    s = conn()
    try:
        s.sendall(junk)
        s.settimeout(5)
        s.recv(100)
    except OSError:
        pass
    s.close()

# A normal client, while all that is going on.
for i in range(3):
    t0 = time.monotonic()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).read()
    dt = time.monotonic() - t0
    assert b'"status"' in body
    assert dt < 3, f"health took {dt:.1f}s under slowloris"
    time.sleep(1)
# The request deadline (5 s) has passed for every slow client by now: the
# server hung up on them (or answered 4xx) rather than wait for the rest.
stop = True
pending = list(opened)
deadline = time.monotonic() + 12
while pending and time.monotonic() < deadline:
    for s in list(pending):
        try:
            s.settimeout(0.05)
            s.recv(100)  # b"" (closed) or an error response
            pending.remove(s)
        except socket.timeout:
            pass
        except OSError:
            pending.remove(s)
    time.sleep(0.2)
cut = len(opened) - len(pending)
assert cut == len(opened), f"only {cut} of {len(opened)} slow clients were cut off"
print(f"normal requests answered in {dt:.2f}s; {cut} slow clients cut off")
for s in opened:
    s.close()
PY
kill -0 "$KSCOPE_PID" || fail "kscope run died"
echo "ok"
