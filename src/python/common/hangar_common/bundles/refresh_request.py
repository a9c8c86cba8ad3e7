"""Deploys pushed, not polled: after the store's pointer moves, ask the running platform's
dag-processor to refresh the bundle now.

Airflow 3.3's dag-processor refreshes a bundle at once when one of its files is requested for
parsing (``PUT /api/v2/parseDagFile/{file_token}``, the UI's "Reparse Dag" button): the request
marks the bundle for refresh on its next loop, whatever the refresh interval. Hangar asks for a
file of the new version that the platform already knows (a file token is signed by the API
server, so only known files can be named); the refresh then finds the new version and parses
all of it. With nothing known yet (the first deploy), the bundle's short empty-store poll finds it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hangar_common.platform.api_client import AirflowApi

PAGE = 100


def _bundle_dags(api: AirflowApi, bundle_name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = api.get("dags", bundle_name=bundle_name, limit=PAGE, offset=len(found))
        dags = page.get("dags", [])
        found += dags
        if not dags or len(found) >= page.get("total_entries", 0):
            return found


def choose_file(dags: list[dict[str, Any]], dag_files: Collection[str]) -> dict[str, Any] | None:
    """The DAG whose file to ask for: one whose file the new version still has (so its parse
    is useful), else any; None when the platform shows none of the bundle's DAGs."""
    with_token = [dag for dag in dags if dag.get("file_token")]
    for dag in sorted(with_token, key=lambda d: str(d.get("relative_fileloc"))):
        if dag.get("relative_fileloc") in dag_files:
            return dag
    return with_token[0] if with_token else None


def request_refresh(
    api: AirflowApi, *, bundle_name: str, dag_files: Collection[str] = ()
) -> str | None:
    """Ask for the bundle's refresh; the file asked for, or None when no DAG of it is known."""
    chosen = choose_file(_bundle_dags(api, bundle_name), dag_files)
    if chosen is None:
        return None
    try:
        api.request_reparse(str(chosen["file_token"]))
    except RuntimeError as exc:
        raise RuntimeError(f"{exc} (asked for {chosen['relative_fileloc']})") from exc
    return str(chosen["relative_fileloc"])
