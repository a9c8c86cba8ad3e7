"""The previews bundle follows the store: previews arrive, switch versions and leave, each in
its own folder; a corrupt artifact never replaces a preview's last good version."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles.previews import PREVIEWS_FOLDER, preview_store
from hangar_common.bundles.store import ARTIFACT, BundleStore
from hangar_plugins.bundles.previews_bundle import PreviewsDagBundle


def bundle_artifact(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hangar_dags/probe.py", f"MARKER = {marker!r}\n")
        archive.writestr(".airflowignore", "hangar_plugins/\n")
        archive.writestr("__main__.py", "")  # PEX machinery: never unpacked
    return buffer.getvalue()


def publish(store: BundleStore, name: str, marker: str) -> str:
    own = preview_store(store, name)
    manifest, _ = own.publish(bundle_artifact(marker), git_commit="abc")
    own.set_current(manifest.version)
    return manifest.version


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[BundleStore, PreviewsDagBundle]:
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH", str(tmp_path / "local"))
    store = BundleStore.from_url(f"file://{tmp_path}/store")
    bundle = PreviewsDagBundle(name="hangar-previews", store_url=f"file://{tmp_path}/store")
    return store, bundle


def marker_of(bundle: PreviewsDagBundle, name: str) -> str:
    return (bundle.path / name / "hangar_dags/probe.py").read_text()


def test_previews_arrive_switch_and_leave(setup: tuple[BundleStore, PreviewsDagBundle]) -> None:
    store, bundle = setup
    bundle.initialize()
    assert bundle.path.is_dir() and bundle.served() == {}
    first = publish(store, "feat_a", "a1")
    publish(store, "feat_b", "b1")
    bundle.refresh()
    assert sorted(bundle.served()) == ["feat_a", "feat_b"]
    assert marker_of(bundle, "feat_a") == "MARKER = 'a1'\n"
    assert not (bundle.path / "feat_a" / "__main__.py").exists()
    assert (bundle.path / "feat_a" / ".airflowignore").is_file()
    assert bundle.path.parent.name == "hangar-previews" and bundle.path.name == "tree"

    second = publish(store, "feat_a", "a2")
    bundle.refresh()
    assert bundle.served()["feat_a"] == second
    assert marker_of(bundle, "feat_a") == "MARKER = 'a2'\n"
    # The version just replaced stays for a task that parsed it a moment ago; older ones go.
    third = publish(store, "feat_a", "a3")
    bundle.refresh()
    kept = sorted(p.name for p in (bundle.versions_dir / "feat_a").iterdir())
    assert kept == sorted([second, third]) and first not in kept

    preview_store(store, "feat_b").fs.rm(f"{store.root}/{PREVIEWS_FOLDER}/feat_b", recursive=True)
    bundle.refresh()
    assert list(bundle.served()) == ["feat_a"]
    assert not (bundle.versions_dir / "feat_b").exists()


def test_a_corrupt_version_keeps_the_last_good_one(
    setup: tuple[BundleStore, PreviewsDagBundle],
) -> None:
    store, bundle = setup
    good = publish(store, "feat_a", "good")
    bundle.refresh()
    bad = publish(store, "feat_a", "bad")
    artifact = Path(preview_store(store, "feat_a").root, "versions", bad, ARTIFACT)
    artifact.write_bytes(artifact.read_bytes()[:-10])  # truncated upload
    bundle.refresh()
    assert bundle.served() == {"feat_a": good}
    assert marker_of(bundle, "feat_a") == "MARKER = 'good'\n"


def test_an_unreachable_store_changes_nothing(
    setup: tuple[BundleStore, PreviewsDagBundle], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, bundle = setup
    publish(store, "feat_a", "a1")
    bundle.refresh()

    def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("object store down")

    monkeypatch.setattr(bundle.deploys_store().fs, "ls", refused)
    bundle.refresh()  # logged, not raised: the dag-processor keeps serving
    assert list(bundle.served()) == ["feat_a"]
    assert marker_of(bundle, "feat_a") == "MARKER = 'a1'\n"
