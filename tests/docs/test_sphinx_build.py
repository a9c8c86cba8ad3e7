"""The Sphinx docs build without a single warning."""

from __future__ import annotations

from pathlib import Path

from sphinx.cmd.build import build_main

from tests.support.paths import repo_root


def test_docs_build_warning_free(tmp_path: Path) -> None:
    out = tmp_path / "html"
    code = build_main(
        ["-W", "--keep-going", "-q", "-b", "html", str(repo_root() / "docs"), str(out)]
    )
    assert code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Hangar" in index
    for page in ("cli", "cli_reference", "settings", "architecture", "build", "platform"):
        assert (out / f"{page}.html").is_file(), page
