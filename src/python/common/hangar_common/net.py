"""Small network helpers."""

from __future__ import annotations

import random
import socket
from pathlib import Path

# Ranged ports start here: above the well-known services that run on developer machines.
_RANGE_FLOOR = 10000


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


def ephemeral_port_floor() -> int:
    """The lowest port the kernel hands out to outgoing connections and ``bind(0)``."""
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port_range(count: int, *, twin_offset: int | None = None) -> int:
    """The first of ``count`` consecutive free loopback ports; with ``twin_offset``, the ports
    that far above them must be free too (SeaweedFS serves gRPC on each port + 10000).

    Every port, twins included, lies below the kernel's ephemeral range: a port there that is
    free now can be taken a moment later by any outgoing connection (or another ``free_port``)
    on the machine, and a server that binds several fixed ports fails at start if one is."""
    top = min(ephemeral_port_floor(), 65536) - 1 - (count - 1) - (twin_offset or 0)
    low = _RANGE_FLOOR if top - _RANGE_FLOOR >= 1000 else 1024
    if top <= low:
        raise RuntimeError(
            f"no room for {count} ports (+{twin_offset or 0}) below the ephemeral range "
            f"({ephemeral_port_floor()}, /proc/sys/net/ipv4/ip_local_port_range)"
        )
    for _ in range(500):
        base = random.randint(low, top)
        ports = [base + offset for offset in range(count)]
        if twin_offset is not None:
            ports += [port + twin_offset for port in ports]
        if all(port_is_free(port) for port in ports):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found")
