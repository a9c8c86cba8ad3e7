"""An in-memory stand-in for :class:`AirflowApi` in unit tests of the logic that calls it.

It answers the client's own methods (not HTTP) from a dict of resources and records every write,
so a test can assert what a caller decided to create, change or clear. The real REST API is
exercised end to end by the stack integration tests (tests/dags/test_pipelines_integration.py).
"""

from __future__ import annotations

from typing import Any


class AirflowApiDouble:
    def __init__(self, resources: dict[str, dict[str, Any]] | None = None) -> None:
        self.resources: dict[str, dict[str, Any]] = dict(resources or {})
        self.writes: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
        self.gets: list[tuple[str, dict[str, Any]]] = []
        self.failed_runs: list[dict[str, Any]] = []
        self.cleared: list[tuple[str, str, bool]] = []
        self.tagged: dict[str, list[str]] = {}

    def get_or_none(self, path: str, **params: Any) -> dict[str, Any] | None:
        return self.resources.get(path)

    def send(self, method: str, path: str, body: dict[str, Any], **params: Any) -> None:
        self.writes.append((method, path, body, params))
        key = body.get("name") or body.get("connection_id") or body.get("key")
        target = path if method == "PATCH" else f"{path}/{key}"
        self.resources[target] = {**self.resources.get(target, {}), **body}

    def get(self, path: str, **params: Any) -> Any:
        self.gets.append((path, params))
        if path == "dags":
            return {"dags": [{"dag_id": d} for d in self.tagged.get(params["tags"], [])]}
        if path == "dags/~/dagRuns":
            offset, limit = params["offset"], params["limit"]
            return {
                "dag_runs": self.failed_runs[offset : offset + limit],
                "total_entries": len(self.failed_runs),
            }
        raise AssertionError(f"unexpected GET {path}")

    def clear_run(self, dag_id: str, run_id: str, *, dry_run: bool = False) -> list[str]:
        self.cleared.append((dag_id, run_id, dry_run))
        return ["load"]
