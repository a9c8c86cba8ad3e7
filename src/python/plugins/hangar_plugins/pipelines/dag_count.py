"""How many DAGs a dynamic DAG file builds, from a Variable's text (validated)."""

from __future__ import annotations

MAX_DYNAMIC_DAGS = 500


def parse_dag_count(raw: str | None, *, name: str, default: int) -> int:
    """``raw`` (a Variable's value, or None when unset) as a DAG count; clear error if bad."""
    if raw is None or not str(raw).strip():
        return default
    try:
        count = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"Variable {name}={raw!r} must be a whole number of DAGs") from None
    if not 0 <= count <= MAX_DYNAMIC_DAGS:
        raise ValueError(f"Variable {name}={count} must be within 0..{MAX_DYNAMIC_DAGS}")
    return count
