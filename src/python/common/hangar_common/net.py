"""Small network helpers."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """A loopback TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_range(count: int, *, twin_offset: int | None = None) -> int:
    """The first of ``count`` consecutive free loopback ports; with ``twin_offset``, the ports
    that far above them must be free too (SeaweedFS serves gRPC on each port + 10000)."""
    for _ in range(500):
        base = random.randint(20000, 30000 - count)
        ports = [base + offset for offset in range(count)]
        if twin_offset is not None:
            ports += [port + twin_offset for port in ports]
        if all(port_is_free(port) for port in ports):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found")
