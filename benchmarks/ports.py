"""Ports for the servers that the tests, the benchmarks and the load run start."""

import socket


def free_port() -> int:
    """A port of 127.0.0.1 that is free now (another process may take it before it is used:
    a server that binds it itself must be ready to try again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_socket(port: int = 0) -> socket.socket:
    """A socket already listening on ``port`` of 127.0.0.1 (0: a free one), for a server
    process to inherit (gunicorn's ``--bind fd://N`` with ``pass_fds``), so the port can't
    be taken between choosing it and serving on it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock
