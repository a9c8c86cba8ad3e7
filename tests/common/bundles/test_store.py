from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles.store import BundleStore, BundleStoreError, artifact_files


def _artifact(marker: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("PEX-INFO", "{}")
        archive.writestr(".bootstrap/pex/x.py", "")
        archive.writestr("hangar_dags/__init__.py", "")
        archive.writestr("hangar_dags/a.py", f"MARKER = {marker!r}\n")
    return out.getvalue()


def test_dag_files_are_the_python_modules_beside_the_code_the_bundle_carries(
    store: BundleStore,
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in (
            "PEX-INFO",
            ".airflowignore",
            "hangar_common/__init__.py",
            "hangar_common/settings.py",
            "hangar_plugins/defaults.py",
            "hangar_dags/__init__.py",
            "hangar_dags/a.py",
            "hangar_dags/config/datasets.yaml",
            "tests/support/platform_dags/smoke.py",
            "fault_drill.py",
        ):
            archive.writestr(name, "")
    manifest, _ = store.publish(out.getvalue(), git_commit="abc")
    assert manifest.dag_files == [
        "fault_drill.py",
        "hangar_dags/a.py",
        "tests/support/platform_dags/smoke.py",
    ]


@pytest.fixture
def store(tmp_path: Path) -> BundleStore:
    return BundleStore.from_url(f"file://{tmp_path / 'store'}")


def test_publish_is_content_addressed_and_idempotent(store: BundleStore) -> None:
    manifest, created = store.publish(_artifact("v1"), git_commit="abc")
    assert created
    assert manifest.files.keys() == {"hangar_dags/__init__.py", "hangar_dags/a.py"}
    assert manifest.dag_files == ["hangar_dags/a.py"]
    again, created_again = store.publish(_artifact("v1"), git_commit="other")
    assert not created_again and again == manifest
    assert store.fetch(manifest.version) == _artifact("v1")


def test_pointer_moves_and_remembers_the_previous_version(store: BundleStore) -> None:
    assert store.current() is None
    v1, _ = store.publish(_artifact("v1"), git_commit="a")
    v2, _ = store.publish(_artifact("v2"), git_commit="b")
    store.set_current(v1.version)
    pointer = store.set_current(v2.version)
    assert (pointer.version, pointer.previous) == (v2.version, v1.version)
    assert [m.version for m in store.versions()] == [v1.version, v2.version]


def test_damaged_or_missing_artifacts_are_refused(store: BundleStore, tmp_path: Path) -> None:
    manifest, _ = store.publish(_artifact("v1"), git_commit="a")
    pex = tmp_path / "store" / "versions" / manifest.version / "bundle.pex"
    data = pex.read_bytes()
    pex.write_bytes(data[:-5] + b"XXXXX")
    with pytest.raises(BundleStoreError, match="is corrupt"):
        store.fetch(manifest.version)
    pex.write_bytes(data[:100])
    with pytest.raises(BundleStoreError, match="truncated"):
        store.fetch(manifest.version)
    with pytest.raises(BundleStoreError, match="truncated"):
        store.set_current(manifest.version)  # the pointer never moves to a damaged version
    with pytest.raises(BundleStoreError, match="does not exist"):
        store.fetch("0" * 64)
    assert store.current() is None


def test_a_version_without_manifest_is_not_listed(store: BundleStore, tmp_path: Path) -> None:
    (tmp_path / "store" / "versions" / "half-uploaded").mkdir(parents=True)
    assert store.versions() == []


def test_garbage_pointer_and_non_zip_artifacts_are_clear_errors(
    store: BundleStore, tmp_path: Path
) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "current.json").write_text("{not json")
    with pytest.raises(BundleStoreError, match="not a valid pointer"):
        store.current()
    with pytest.raises(BundleStoreError, match="not a PEX/zip"):
        artifact_files(b"plain bytes")
    (tmp_path / "store" / "current.json").write_text(json.dumps({"version": "x"}))
    with pytest.raises(BundleStoreError):
        store.current()


def test_prune_keeps_the_newest_the_pointer_and_referenced_versions(
    store: BundleStore, tmp_path: Path
) -> None:
    versions = [store.publish(_artifact(f"v{i}"), git_commit=f"c{i}")[0].version for i in range(6)]
    store.set_current(versions[1])
    store.set_current(versions[2])  # current v2, previous v1: both older than the newest two
    # v0 is still referenced by a run; v1 is previous; v2 current; v4, v5 the newest two.
    preview = store.prune(keep=2, referenced={versions[0]}, dry_run=True)
    assert [m.version for m in preview] == [versions[3]]
    assert len(store.versions()) == 6  # a dry run deletes nothing

    removed = store.prune(keep=2, referenced={versions[0]})
    assert [m.version for m in removed] == [versions[3]]
    assert [m.version for m in store.versions()] == [versions[i] for i in (0, 1, 2, 4, 5)]
    assert not (tmp_path / "store" / "versions" / versions[3]).exists()
    with pytest.raises(BundleStoreError, match="does not exist"):
        store.fetch(versions[3])
    assert store.fetch(versions[2])  # the current version is whole

    assert store.prune(keep=2, referenced={versions[0]}) == []  # idempotent
    with pytest.raises(ValueError, match="keep must be at least 1"):
        store.prune(keep=0, referenced=set())


def test_a_manifest_keeps_its_plan_and_ignores_fields_it_does_not_know(
    store: BundleStore, tmp_path: Path
) -> None:
    plan = {"against": None, "lines": ["+ DAG a (1 task, schedule None)"]}
    manifest, _ = store.publish(_artifact("v1"), git_commit="abc", plan=plan)
    assert store.manifest(manifest.version).plan == plan
    # A field a newer Hangar adds does not make the version unreadable.
    path = tmp_path / "store" / "versions" / manifest.version / "manifest.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "added_later": 1}))
    assert store.manifest(manifest.version) == manifest
    # Published again (the same bytes), a version keeps the plan of its first deploy.
    again, created = store.publish(_artifact("v1"), git_commit="abc", plan={"lines": []})
    assert not created and again.plan == plan
