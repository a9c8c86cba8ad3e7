"""Free loopback ports for servers that tests start (several test files run in parallel)."""

from __future__ import annotations

import random
import socket

from hangar_common.net import free_port

__all__ = ["free_port", "free_port_range"]


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_range(count: int) -> int:
    """The first of ``count`` consecutive free ports (for per-worker log-server ports)."""
    for _ in range(200):
        base = random.randint(20000, 30000 - count)
        if all(_is_free(base + offset) for offset in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found")
