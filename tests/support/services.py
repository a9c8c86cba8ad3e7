"""Access to the PostgreSQL and Redis that tests use for real."""

from __future__ import annotations

import os

from hangar_common.net import free_port
from hangar_common.settings import HangarSettings


def service_env() -> HangarSettings:
    """The ``HANGAR_*`` settings the test run was given (defaults: the local services)."""
    return HangarSettings.from_env(os.environ)


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    return free_port()
