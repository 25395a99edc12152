#!/usr/bin/python3
"""Many dashboard WebSocket clients at once against a running `kscope run`.

Each client connects to /ws, subscribes to one query (the dashboard's kind)
and records when each interval's update arrives. Optionally one more client
that never reads: it subscribes to large queries and leaves every byte
unread, as a browser tab on a dead link would.

Prints one JSON object: per-interval coverage (which update timestamps every
client got), the update latency (snapshot time -> message received) p50/p99,
and what happened to the slow client. Used by tests/e2e/websocket_fanout.sh
and bench/http_server/README.md. Needs python3-websockets (Debian).
"""
import argparse
import asyncio
import base64
import json
import os
import socket
import struct
import sys
import time

import websockets


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def masked_text_frame(text):
    """A client-to-server text frame (clients must mask)."""
    payload = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def open_slow_client(host, port, subscriptions):
    """Upgrades, subscribes, and then never reads (tiny receive buffer)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise RuntimeError("slow client: connection closed during the upgrade")
        head += chunk
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"slow client: upgrade refused: {head[:80]!r}")
    for i, q in enumerate(subscriptions):
        s.sendall(masked_text_frame(json.dumps({"subscribe": dict(q, id=f"slow{i}")})))
    return s


def slow_client_closed(s, timeout):
    """Reads what the server had sent until EOF or reset; True if it closed."""
    deadline = time.monotonic() + timeout
    s.settimeout(1)
    while time.monotonic() < deadline:
        try:
            if not s.recv(1 << 16):
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


async def client(url, query, updates, ready, errors):
    try:
        async with websockets.connect(url, max_size=1 << 22, open_timeout=30, ping_interval=None) as ws:
            hello = json.loads(await ws.recv())
            if hello.get("type") != "hello":
                raise RuntimeError(f"first message {hello}")
            await ws.send(json.dumps({"subscribe": dict(query, id="q")}))
            ready()
            async for raw in ws:
                now = time.time()
                msg = json.loads(raw)
                if msg.get("type") == "update" and msg.get("id") == "q":
                    updates.append((msg["t"], now))
                elif msg.get("type") == "error":
                    raise RuntimeError(f"error message {msg}")
    except asyncio.CancelledError:
        pass
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        errors.append(repr(e))


async def run(args):
    url = f"ws://{args.host}:{args.port}/ws"
    # A chart of the dashboard's kind, and for the slow client every
    # (comm, syscall) pair: tens of KB a message.
    query = {"name": "kscope_syscall_latency_seconds", "aggregation": "p99", "by": "comm", "limit": 5}
    big = {"name": "kscope_syscall_latency_seconds", "aggregation": "p99", "by": "comm,syscall", "limit": 100000}
    per_client = [[] for _ in range(args.clients)]
    errors = []
    connected = 0
    all_ready = asyncio.Event()

    def ready():
        nonlocal connected
        connected += 1
        if connected == args.clients:
            all_ready.set()

    t0 = time.monotonic()
    tasks = [asyncio.create_task(client(url, query, per_client[i], ready, errors)) for i in range(args.clients)]
    try:
        await asyncio.wait_for(all_ready.wait(), timeout=60)
    except asyncio.TimeoutError:
        pass
    connect_s = time.monotonic() - t0
    slow = None
    if args.slow:
        slow = open_slow_client(args.host, args.port, [big] * 32)
    start = time.time()
    await asyncio.sleep(args.seconds)
    end = time.time()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    # The intervals fully inside the window (one interval of margin each
    # side), and who missed which.
    margin = args.interval
    stamps = sorted({t for ups in per_client for t, _ in ups if start + margin <= t <= end - 2 * margin})
    missing = 0
    clients_missing = 0
    for ups in per_client:
        got = {t for t, _ in ups}
        m = sum(1 for t in stamps if t not in got)
        missing += m
        clients_missing += m > 0
    window = set(stamps)
    lat = [(now - t) * 1000 for ups in per_client for t, now in ups if t in window]
    out = {
        "clients": args.clients,
        "connected": connected,
        "connect_seconds": round(connect_s, 2),
        "errors": errors[:5],
        "error_count": len(errors),
        "intervals": len(stamps),
        "updates": len(lat),
        "missing_updates": missing,
        "clients_missing_updates": clients_missing,
        "latency_ms_p50": round(percentile(lat, 0.50), 1) if lat else None,
        "latency_ms_p99": round(percentile(lat, 0.99), 1) if lat else None,
        "latency_ms_max": round(max(lat), 1) if lat else None,
    }
    if slow is not None:
        out["slow_client_closed"] = slow_client_closed(slow, args.slow_wait)
        slow.close()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=500)
    p.add_argument("--seconds", type=float, default=6)
    p.add_argument("--interval", type=float, default=0.5, help="kscope's interval, seconds")
    p.add_argument("--slow", action="store_true", help="add one client that never reads")
    p.add_argument("--slow-wait", type=float, default=20, help="how long the slow client waits to be cut off")
    args = p.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    sys.exit(main())
