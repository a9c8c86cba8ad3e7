"""Names both sides of a preview agree on, and previews kept in the bundle store."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles import previews
from hangar_common.bundles.store import BundleStore


def artifact(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hangar_dags/probe.py", f"MARKER = {marker!r}\n")
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["a", "feature_x", "pr_1234", "x" * 24])
def test_names_a_preview_can_have(name: str) -> None:
    assert previews.checked_name(name) == name


@pytest.mark.parametrize("name", ["", "Feature", "feat-x", "1st", "x" * 25, "a__b", "a_", "a/b"])
def test_names_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(ValueError, match="lowercase letters, digits and single underscores"):
        previews.checked_name(name)


def test_a_preview_s_dag_ids_schemas_and_lake() -> None:
    assert previews.preview_dag_id("ingest_sales", "feat_x") == "ingest_sales__preview_feat_x"
    assert previews.preview_of("ingest_sales__preview_feat_x") == "feat_x"
    assert previews.preview_of("ingest_sales") is None
    assert previews.preview_of("odd__preview_Not-A-Name") is None
    assert previews.preview_table("raw.sales", "feat_x") == "preview_feat_x__raw.sales"
    assert previews.preview_table("events", "feat_x") == "preview_feat_x__public.events"
    assert len(previews.preview_schema("s" * 28, "x" * 24)) <= 63
    assert (
        previews.preview_lake("s3://hangar-lake/", "feat_x") == "s3://hangar-lake/previews/feat_x"
    )
    assert previews.preview_tag("feat_x") == "preview:feat_x"


def test_the_preview_of_a_dag_file_comes_from_its_folder() -> None:
    inside = "/srv/airflow/bundles/hangar-previews/tree/feat_x/hangar_dags/ingestion.py"
    assert previews.preview_from_fileloc(inside) == "feat_x"
    assert previews.preview_from_fileloc("/srv/airflow/bundles/hangar/current/x.py") is None
    assert previews.preview_from_fileloc("/src/python/dags/hangar_dags/tree/x.py") is None


def test_previews_in_the_store_listed_and_removed(tmp_path: Path) -> None:
    store = BundleStore.from_url(f"file://{tmp_path}")
    # The deployed bundle beside them is never touched.
    live, _ = store.publish(artifact("live"), git_commit="c0")
    store.set_current(live.version)
    for name, marker in (("feat_b", "b"), ("feat_a", "a")):
        own = previews.preview_store(store, name)
        manifest, _ = own.publish(artifact(marker), git_commit="c1")
        own.set_current(manifest.version)
    # A half-published preview (no pointer yet) is not listed as current.
    previews.preview_store(store, "feat_c").publish(artifact("c"), git_commit="c2")

    assert previews.preview_names(store) == ["feat_a", "feat_b", "feat_c"]
    assert sorted(previews.current_previews(store)) == ["feat_a", "feat_b"]
    described = previews.describe(store)
    assert [(name, manifest.git_commit) for name, _, manifest in described] == [
        ("feat_a", "c1"),
        ("feat_b", "c1"),
    ]

    assert previews.remove(store, "feat_a") is True
    assert previews.remove(store, "feat_a") is False
    assert previews.remove(store, "feat_c") is True  # versions without a pointer go too
    assert previews.preview_names(store) == ["feat_b"]
    assert [m.version for m in store.versions()] == [live.version]
    pointer = store.current()
    assert pointer is not None and pointer.version == live.version
