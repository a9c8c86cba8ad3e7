"""Is the platform up? Airflow's own health endpoint, read without credentials."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from hangar_common.waiting import poll_until

# The components whose health /api/v2/monitor/health reports and `up` waits for.
REQUIRED_COMPONENTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")


def read_health(api_url: str, timeout: float = 5) -> dict[str, Any] | None:
    """The health document, or None while the API server does not answer."""
    try:
        with urllib.request.urlopen(f"{api_url}/api/v2/monitor/health", timeout=timeout) as resp:
            document: dict[str, Any] = json.load(resp)
            return document
    except (OSError, urllib.error.URLError, ValueError):
        return None


def unhealthy_components(health: dict[str, Any] | None) -> list[str]:
    if health is None:
        return ["api-server"]
    return [
        name for name in REQUIRED_COMPONENTS if (health.get(name) or {}).get("status") != "healthy"
    ]


def wait_until_healthy(api_url: str, timeout: float) -> float:
    """Seconds until every required component reports healthy; TimeoutError naming the rest."""
    start = time.monotonic()
    pending = ["api-server"]

    def healthy() -> bool:
        pending[:] = unhealthy_components(read_health(api_url))
        return not pending

    poll_until(healthy, timeout=timeout, describe=lambda: f"not healthy: {', '.join(pending)}")
    return time.monotonic() - start
