from __future__ import annotations

import json

import pytest

from hangar_plugins.housekeeping.tasks import _cutoff, _served_store


def test_the_served_store_is_found_in_the_bundle_config() -> None:
    versioned = {
        "name": "hangar",
        "classpath": "hangar_plugins.bundles.versioned_store.VersionedStoreDagBundle",
        "kwargs": {"store_url": "s3://b/p", "conn_id": "object_storage"},
    }
    local = {"name": "x", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle"}
    assert _served_store(json.dumps([local, versioned])) == versioned["kwargs"]
    assert _served_store(json.dumps([local])) is None
    assert _served_store("") is None


def test_a_retention_below_one_day_is_refused() -> None:
    with pytest.raises(ValueError, match="retention_days must be at least 1, got 0"):
        _cutoff(0)
