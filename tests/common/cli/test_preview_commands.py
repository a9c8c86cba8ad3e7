"""``./hangar previews`` and ``previews remove`` against a store of the test's own (no platform
running; the stacks' suites run them against a platform)."""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles import previews
from hangar_common.bundles.store import BundleStore
from hangar_common.cli import bundle_commands, preview_commands


def artifact(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hangar_dags/a.py", f"A = {marker!r}\n")
        archive.writestr("hangar_dags/b.py", "B = 1\n")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BundleStore:
    store = BundleStore.from_url(f"file://{tmp_path}/store")
    monkeypatch.setattr(bundle_commands, "_project_store", lambda: (tmp_path, store))
    monkeypatch.setattr(bundle_commands, "platform_api", lambda root: None)
    return store


def publish(store: BundleStore, name: str) -> str:
    own = previews.preview_store(store, name)
    manifest, _ = own.publish(artifact(name), git_commit="0123456789abcdef")
    own.set_current(manifest.version)
    return manifest.version


def test_previews_are_listed_with_their_version_and_files(
    store: BundleStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preview_commands.cmd_previews(argparse.Namespace()) == 0
    assert capsys.readouterr().out.startswith("no previews in ")
    version = publish(store, "feat_x")
    assert preview_commands.cmd_previews(argparse.Namespace()) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"feat_x                   {version[:12]}  ")
    assert line.endswith("commit 0123456789ab  2 DAG files")


def test_remove_takes_the_preview_out_of_the_store(
    store: BundleStore, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(store, "feat_x")
    publish(store, "feat_y")
    assert preview_commands.cmd_remove(argparse.Namespace(name="feat_x", drop_data=False)) == 0
    out = capsys.readouterr().out
    assert "preview feat_x: removed from the store" in out
    assert "no platform running from this checkout" in out
    assert sorted(previews.current_previews(store)) == ["feat_y"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("feat_z", "hangar: error: no preview 'feat_z' (previews: feat_y)"),
        ("Feat-Z", "hangar: error: preview name 'Feat-Z': use 1-24 lowercase letters"),
    ],
)
def test_remove_refuses_unknown_or_invalid_names(
    store: BundleStore, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    publish(store, "feat_y")
    assert preview_commands.cmd_remove(argparse.Namespace(name=name, drop_data=False)) == 2
    assert capsys.readouterr().out.startswith(message)
    assert list(previews.current_previews(store)) == ["feat_y"]
