"""Bundle-store retention (the housekeeping_bundle_store DAG): keep the newest N versions, the
pointer's current and previous ones, and every version a DAG run still references."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hangar_common.platform.api_client import AirflowApi


def referenced_versions(api: AirflowApi, *, page_size: int = 500) -> set[str]:
    """The bundle versions recorded on DAG runs the metadata DB still holds (any state: a
    finished run can be cleared and re-run on its own version)."""
    versions: set[str] = set()
    offset = 0
    while True:
        page = api.get("dags/~/dagRuns", limit=page_size, offset=offset, order_by="id")
        versions |= {run["bundle_version"] for run in page["dag_runs"] if run.get("bundle_version")}
        offset += page_size
        if offset >= int(page.get("total_entries", 0)):
            return versions
