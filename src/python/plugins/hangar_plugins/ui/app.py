"""The FastAPI app behind the Hangar page, mounted by the API server at ``/hangar``.

Plugin apps are not protected by Airflow on their own: every route depends on the auth
manager's check for the Plugins view, so the page answers only to a logged-in user (the UI's
``_token`` cookie) or a bearer token from ``/auth/token``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.core_api.security import requires_access_dag, requires_access_view
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse

from hangar_plugins.ui.page import render
from hangar_plugins.ui.status import PlatformStatus, collect

URL_PREFIX = "/hangar"

app = FastAPI(
    title="Hangar",
    description="Bundle versions, component syncs, import errors and workers of the platform.",
    dependencies=[Depends(requires_access_view(AccessView.PLUGINS))],
)


def _collect() -> PlatformStatus:
    from airflow.utils.session import create_session

    with create_session() as session:
        return collect(session)


@app.get("/", response_class=HTMLResponse)
async def hangar_page() -> str:
    # Database, object-store and Celery calls block: keep them off the event loop.
    return render(await asyncio.to_thread(_collect))


@app.get("/status.json")
async def hangar_status() -> dict[str, Any]:
    return (await asyncio.to_thread(_collect)).as_dict()


# What the refresh request names: no such file exists, so the parse it also asks for finds
# nothing; the request's point is its bundle, which the dag-processor refreshes first.
REFRESH_PROBE = ".hangar-refresh"


def _request_refresh(bundle_name: str) -> bool:
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.models.dagbag import DagPriorityParsingRequest
    from airflow.utils.session import create_session

    if bundle_name not in set(DagBundlesManager().get_all_bundle_names()):
        return False
    with create_session() as session:
        session.add(
            DagPriorityParsingRequest(bundle_name=bundle_name, relative_fileloc=REFRESH_PROBE)
        )
    return True


@app.post(
    "/bundles/{bundle_name}/refresh",
    status_code=202,
    dependencies=[Depends(requires_access_dag(method="PUT"))],
)
async def refresh_bundle(bundle_name: str) -> dict[str, str]:
    """Ask the dag-processor to refresh a bundle now, whatever its refresh interval (Airflow's
    own channel: a priority parsing request, as the UI's "Reparse Dag" button makes). Unlike
    ``PUT /api/v2/parseDagFile``, it needs no DAG of the bundle to exist yet: a preview's
    first deploy (``./hangar deploy --preview``) shows at once too."""
    if not await asyncio.to_thread(_request_refresh, bundle_name):
        raise HTTPException(status_code=404, detail=f"no bundle {bundle_name!r} is configured")
    return {"bundle": bundle_name, "status": "refresh requested"}
