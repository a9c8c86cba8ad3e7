from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.bundles.deploy import compare, s3_storage_options, store_url
from hangar_common.bundles.store import Manifest
from hangar_common.settings import ConfigurationError
from tests.support.paths import repo_root


def test_compare_lists_added_changed_and_removed_files() -> None:
    current = Manifest(
        version="v", size=1, git_commit="c", built_at="t", files={"a.py": "1", "b.py": "2"}
    )
    changes = compare(current, {"a.py": "1", "b.py": "3", "c.py": "4"})
    assert (changes.added, changes.changed, changes.removed) == (["c.py"], ["b.py"], [])
    assert compare(current, dict(current.files)).empty


def test_store_is_the_configured_one_else_the_running_platforms_embedded_store(
    tmp_path: Path,
) -> None:
    embedded = {"HANGAR_EMBEDDED_BUNDLE_STORE_URL": "s3://hangar-bundles/hangar"}
    assert store_url(embedded, tmp_path) == "s3://hangar-bundles/hangar"
    assert store_url({**embedded, "HANGAR_BUNDLE_STORE_URL": "s3://b/p"}, tmp_path) == "s3://b/p"
    with pytest.raises(ConfigurationError, match="HANGAR_BUNDLE_STORE_URL.*./hangar up"):
        store_url({}, tmp_path)


def test_s3_credentials_come_from_the_object_storage_connection() -> None:
    env = {
        "HANGAR_S3_ENDPOINT": "http://127.0.0.1:9000",
        "HANGAR_S3_ACCESS_KEY": "key",
        "HANGAR_S3_SECRET_KEY": "secret",
    }
    options = s3_storage_options(env, repo_root())
    assert options == {
        "key": "key",
        "secret": "secret",
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "region_name": "us-east-1"},
    }
