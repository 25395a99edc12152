#!/usr/bin/env python3
"""Records the bytes of one TCP connection, each direction in its own file,
as a loopback relay between a real client and a real server sees them.
How the files in this folder were made (see README there):
    record.py LISTEN_PORT SERVER_PORT OUT_PREFIX   # then point the client at LISTEN_PORT
It relays one connection, then writes OUT_PREFIX.request and OUT_PREFIX.response."""
import socket
import sys
import threading


def pump(src, dst, chunks):
    """Relays src to dst until src closes, appending each recv() to chunks."""
    while True:
        try:
            data = src.recv(65536)
        except ConnectionResetError:  # a TLS peer may reset instead of closing
            data = b""
        if not data:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        chunks.append(data)
        dst.sendall(data)


def main():
    listen_port, server_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(1)
    client, _ = ls.accept()
    server = socket.create_connection(("127.0.0.1", server_port))
    requests, responses = [], []
    t = threading.Thread(target=pump, args=(client, server, requests))
    t.start()
    pump(server, client, responses)
    t.join()
    with open(prefix + ".request", "wb") as f:
        f.write(b"".join(requests))
    with open(prefix + ".response", "wb") as f:
        f.write(b"".join(responses))


if __name__ == "__main__":
    main()
