"""The FastAPI app behind the Hangar page, mounted by the API server at ``/hangar``.

Plugin apps are not protected by Airflow on their own: every route depends on the auth
manager's check for the Plugins view, so the page answers only to a logged-in user (the UI's
``_token`` cookie) or a bearer token from ``/auth/token``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.core_api.security import requires_access_view
from fastapi import Depends, FastAPI
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
