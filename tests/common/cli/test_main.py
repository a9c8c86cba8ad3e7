from __future__ import annotations

import pytest

import hangar_common
from hangar_common.cli.main import build_parser, main


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: hangar" in out
    for command in ("version", "doctor"):
        assert command in out


def test_version_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith(f"hangar {hangar_common.__version__} (Python 3.11")


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["take-off"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'take-off'" in capsys.readouterr().err


def test_no_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([])
    assert exit_info.value.code == 2


def test_bad_setting_is_one_clear_line_naming_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pants.toml").write_text("")
    (tmp_path / "hangar").write_text("")
    monkeypatch.setenv("HANGAR_HOME", str(tmp_path))
    monkeypatch.setenv("HANGAR_REDIS_URL", "http://not-redis")
    assert main(["doctor"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("hangar: error: HANGAR_REDIS_URL='http://not-redis'")


def test_doctor_outside_a_checkout_is_a_clear_error(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HANGAR_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["doctor"]) == 2
    assert "not inside a Hangar checkout" in capsys.readouterr().err
