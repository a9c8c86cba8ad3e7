"""Access to the PostgreSQL and Redis that tests use for real."""

from __future__ import annotations

import os

from hangar_common.environment import HangarEnvironment
from hangar_common.net import free_port


def service_env() -> HangarEnvironment:
    """The ``HANGAR_*`` settings the test run was given (defaults: the local services)."""
    return HangarEnvironment.from_mapping(os.environ)


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    return free_port()
