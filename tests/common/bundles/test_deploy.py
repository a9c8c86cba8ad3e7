from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles.deploy import resolve_version, s3_storage_options, store_url
from hangar_common.bundles.store import BundleStore, BundleStoreError
from hangar_common.settings import ConfigurationError
from tests.support.paths import repo_root


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


def test_a_version_prefix_names_exactly_one_stored_version(tmp_path: Path) -> None:
    store = BundleStore.from_url(f"file://{tmp_path}")
    versions = []
    for marker in ("a", "b"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("dag.py", marker)
        versions.append(store.publish(out.getvalue(), git_commit="c")[0].version)
    assert resolve_version(store, versions[0][:12]) == versions[0]
    with pytest.raises(BundleStoreError, match="'' matches 2 versions"):
        resolve_version(store, "")
    with pytest.raises(BundleStoreError, match="'zz' matches 0 versions"):
        resolve_version(store, "zz")
