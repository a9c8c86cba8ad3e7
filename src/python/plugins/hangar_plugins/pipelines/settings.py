"""Where pipelines keep their files: the lake (object storage) and its connection."""

from __future__ import annotations

# The `object_storage` connection (config/environment.yaml) holds endpoint and credentials.
LAKE_CONN_ID = "object_storage"
DEFAULT_LAKE_URL = "s3://hangar-lake"


def lake_url() -> str:
    """``[hangar] lake_url`` (from ``HANGAR_LAKE_URL``): read at run time, never at parse."""
    from airflow.configuration import conf

    return conf.get("hangar", "lake_url", fallback=DEFAULT_LAKE_URL) or DEFAULT_LAKE_URL
