"""Access to the PostgreSQL and Redis that tests use for real."""

from __future__ import annotations

import os
import socket

from hangar_common.environment import HangarEnvironment


def service_env() -> HangarEnvironment:
    """The ``HANGAR_*`` settings the test run was given (defaults: the local services)."""
    return HangarEnvironment.from_mapping(os.environ)


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released, by this process)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
