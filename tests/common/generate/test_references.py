from __future__ import annotations

from pathlib import Path

from hangar_common.generate.references import (
    render_cli_page,
    render_env_example,
    render_references,
    render_settings_page,
    stale_references,
)
from hangar_common.settings import described_fields
from tests.support.paths import repo_root


def test_checked_in_references_are_current() -> None:
    stale = stale_references(repo_root(), render_references())
    assert stale == [], f"run ./hangar generate and commit: {stale}"


def test_env_example_lists_every_setting_and_no_secret_value() -> None:
    text = render_env_example()
    for name, _default, extras in described_fields():
        assert f"# {name}=" in text
        if extras["secret"]:
            assert f"# {name}=\n" in text


def test_an_edited_or_missing_reference_is_stale(tmp_path: Path) -> None:
    files = render_references()
    for generated in files:
        (tmp_path / generated.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / generated.path).write_text(generated.text)
    assert stale_references(tmp_path, files) == []
    (tmp_path / files[0].path).write_text(files[0].text.replace("HANGAR_API_PORT", "X"))
    (tmp_path / files[2].path).unlink()
    assert stale_references(tmp_path, files) == [files[0].path, files[2].path]


def test_pages_have_one_section_per_group_and_every_command() -> None:
    from hangar_common.cli.main import build_parser

    page = render_settings_page()
    assert "Platform\n--------" in page and "``HANGAR_API_PORT``" in page
    cli = render_cli_page(build_parser())
    for command in ("up", "down", "deploy", "rollback", "query", "generate"):
        assert f"``hangar {command}``" in cli
