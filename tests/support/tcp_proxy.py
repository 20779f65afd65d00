"""A loopback TCP proxy, run as its own process (``python tcp_proxy.py LISTEN_PORT TARGET_PORT``) so that
relaying bytes never waits for the test process's interpreter. Stopping the process cuts every connection
and closes the port: an RPC outage. Standard library only, so it starts in a few milliseconds."""

from __future__ import annotations

import selectors
import socket
import sys


def serve(listen_port: int, target_port: int) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    peers: dict[socket.socket, socket.socket] = {}
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is listener:
                client, _ = listener.accept()
                try:
                    upstream = socket.create_connection(("127.0.0.1", target_port))
                except OSError:
                    client.close()
                    continue
                for s in (client, upstream):
                    selector.register(s, selectors.EVENT_READ)
                peers[client], peers[upstream] = upstream, client
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            other = peers.get(sock)
            if data and other is not None:
                try:
                    other.sendall(data)
                    continue
                except OSError:
                    pass
            for s in (sock, other):
                if s is not None and s in peers:
                    selector.unregister(s)
                    peers.pop(s)
                    s.close()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
