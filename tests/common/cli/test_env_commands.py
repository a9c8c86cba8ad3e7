"""``hangar env export`` at the command line: where the document goes, and what it refuses."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from hangar_common.cli.env_commands import check_target, write_atomically
from hangar_common.cli.main import main
from hangar_common.platform.stack import StackManager
from hangar_common.settings import ConfigurationError

ANSWER = {
    "text": "pools: {}\nconnections:\n  db:\n    password: ${HANGAR_CONN_DB_PASSWORD}\n",
    "needs": ["HANGAR_CONN_DB_PASSWORD", "HANGAR_MAINTENANCE_PASSWORD"],
    "notes": ["variables.x: its description is not in environment.yaml: dropped"],
}


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hangar checkout with no platform running."""
    (tmp_path / "pants.toml").write_text("")
    (tmp_path / "hangar").write_text("")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "environment.yaml").write_text("# the team's file\n")
    monkeypatch.setenv("HANGAR_HOME", str(tmp_path))
    for name in ("HANGAR_STATE_DIR", "HANGAR_ENVIRONMENT_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(self: StackManager) -> dict[str, Any]:
        return ANSWER

    monkeypatch.setattr(StackManager, "export_environment", answer)


def test_no_running_platform_is_one_line_and_exit_2(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "export"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("hangar: error: no running platform to export from")


@pytest.mark.usefixtures("exported")
def test_stdout_by_default_and_the_names_to_set_on_stderr(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "export"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ANSWER["text"]
    assert "note: variables.x" in captured.err
    assert "(names only): HANGAR_CONN_DB_PASSWORD\n" in captured.err
    assert captured.err.endswith("where they are unset: HANGAR_MAINTENANCE_PASSWORD\n")


@pytest.mark.usefixtures("exported")
def test_output_file_and_the_applied_file_only_with_force(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "export", "--output", "exported.yaml"]) == 0
    assert (checkout / "exported.yaml").read_text() == ANSWER["text"]
    assert capsys.readouterr().out == ""

    applied = checkout / "config" / "environment.yaml"
    assert main(["env", "export", "-o", str(applied)]) == 2
    err = capsys.readouterr().err
    assert "is the environment file ./hangar init applies" in err and "--force" in err
    assert applied.read_text() == "# the team's file\n"
    assert main(["env", "export", "-o", str(applied), "--force"]) == 0
    assert applied.read_text() == ANSWER["text"]


def test_targets_that_cannot_be_written_are_refused(tmp_path: Path) -> None:
    protected = tmp_path / "environment.yaml"
    with pytest.raises(ConfigurationError, match="is a directory"):
        check_target(tmp_path, protected=protected, force=False)
    with pytest.raises(ConfigurationError, match="does not exist"):
        check_target(tmp_path / "missing" / "x.yaml", protected=protected, force=False)
    check_target(tmp_path / "new.yaml", protected=protected, force=False)


def test_written_atomically_keeping_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "env.yaml"
    write_atomically(target, "a: 1\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.chmod(0o640)
    write_atomically(target, "a: 2\n")
    assert target.read_text() == "a: 2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["env.yaml"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env.yaml"
    target.write_text("old\n")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("hangar_common.cli.env_commands.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "new\n")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["env.yaml"]
