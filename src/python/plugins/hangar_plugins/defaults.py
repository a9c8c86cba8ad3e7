"""Defaults every Hangar DAG starts from (owner, retries with exponential backoff)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


def default_task_args(*, owner: str, retries: int = 2, **overrides: Any) -> dict[str, Any]:
    """``default_args`` for a DAG: owner, ``retries`` with exponential backoff, plus overrides."""
    if not owner.strip():
        raise ValueError("owner must be a non-empty team or person name")
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    args: dict[str, Any] = {
        "owner": owner,
        "retries": retries,
        # 15 s, then doubling (with jitter) up to 30 min: a task lost with its worker is failed
        # after the 60 s heartbeat timeout and reruns 15-30 s later; at 30 s the worker drill
        # (tests/drills) took 129 s to recover under CI load, over its 2-minute goal.
        "retry_delay": timedelta(seconds=15),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    }
    args.update(overrides)
    return args
