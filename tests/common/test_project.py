from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.project import find_project_root, state_dir


def _checkout(root: Path) -> Path:
    (root / "pants.toml").write_text("", encoding="utf-8")
    (root / "hangar").write_text("", encoding="utf-8")
    return root


def test_finds_root_from_a_subfolder(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    nested = root / "src" / "python"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == root.resolve()
    assert state_dir(root) == root / ".hangar"


def test_hangar_home_is_used_without_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _checkout(tmp_path)
    monkeypatch.setenv("HANGAR_HOME", str(root))
    assert find_project_root() == root.resolve()


def test_outside_a_checkout_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not inside a Hangar checkout"):
        find_project_root(tmp_path)
