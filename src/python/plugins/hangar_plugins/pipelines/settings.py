"""Where pipelines keep their files: the lake (object storage) and its connection."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hangar_common.settings import HangarSettings

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

# The `object_storage` connection (config/environment.yaml) holds endpoint and credentials.
LAKE_CONN_ID = "object_storage"
# The settings model's default: what a component started without HANGAR_LAKE_URL gets.
DEFAULT_LAKE_URL: str = HangarSettings.model_fields["lake_url"].default


def lake_url() -> str:
    """``[hangar] lake_url`` (from ``HANGAR_LAKE_URL``): read at run time, never at parse; a
    preview's task gets its own prefix of it (``<lake>/previews/NAME``)."""
    from airflow.configuration import conf

    from hangar_common.bundles.previews import preview_lake
    from hangar_plugins.previews import current_preview

    lake = conf.get("hangar", "lake_url", fallback=DEFAULT_LAKE_URL) or DEFAULT_LAKE_URL
    preview = current_preview()
    return preview_lake(lake, preview) if preview else lake


def partition_folder(
    zone: str, moment: datetime, *, lake: str | None = None, conn_id: str | None = LAKE_CONN_ID
) -> ObjectStoragePath:
    """``<lake>/<zone>/year=…/month=…/day=…`` for ``moment`` (the lake: ``[hangar] lake_url``).

    Every pipeline file lives under one of these: a re-run of an interval rewrites its own.
    """
    from airflow.sdk import ObjectStoragePath

    from hangar_plugins.macros import partition_path

    base = (lake or lake_url()).rstrip("/")
    return ObjectStoragePath(f"{base}/{zone}/{partition_path(moment)}", conn_id=conn_id)
