#!/usr/bin/env python3
"""Records the bytes of TCP connections between a real client and a real
server, as a loopback relay sees them, keeping each recv() as one call and
the order of the calls across both directions (the database engines' tests
replay them as the capture would deliver them). How the *.calls files in
this folder were made (see README there):
    record_calls.py LISTEN_PORT SERVER_PORT OUT_PREFIX [CONNECTIONS]
then point the client at LISTEN_PORT. It relays CONNECTIONS connections
(default 1) and writes OUT_PREFIX.calls for the first, OUT_PREFIX.2.calls
for the second, ...

File format: a sequence of calls, each a header line "> N" (client to
server) or "< N" (server to client), N the byte count, then the N bytes
and a newline."""
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record import pump  # noqa: E402  the same relay loop

lock = threading.Lock()


class Tagged:
    """The calls of one direction, marked and kept in order with the other's."""

    def __init__(self, calls, marker):
        self.calls, self.marker = calls, marker

    def append(self, data):
        with lock:
            self.calls.append((self.marker, data))


def relay(client, server_port, path):
    server = socket.create_connection(("127.0.0.1", server_port))
    calls = []
    t = threading.Thread(target=pump, args=(client, server, Tagged(calls, b">")))
    t.start()
    pump(server, client, Tagged(calls, b"<"))
    t.join()
    with open(path, "wb") as f:
        for marker, data in calls:
            f.write(marker + b" " + str(len(data)).encode() + b"\n" + data + b"\n")


def main():
    listen_port, server_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(8)
    threads = []
    for i in range(connections):
        client, _ = ls.accept()
        path = prefix + (".calls" if i == 0 else ".%d.calls" % (i + 1))
        t = threading.Thread(target=relay, args=(client, server_port, path))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
