from __future__ import annotations

from pathlib import Path

from hangar_common.doctor import checks


def test_python_check_accepts_311_and_rejects_others() -> None:
    assert checks.check_python((3, 11, 7)).ok
    result = checks.check_python((3, 9, 18))
    assert not result.ok
    assert "3.9.18" in result.detail
    assert "3.11" in result.fix


def test_disk_check_compares_free_space_with_the_threshold(tmp_path: Path) -> None:
    assert checks.check_disk(tmp_path, 0).ok
    result = checks.check_disk(tmp_path, 10**9)
    assert not result.ok
    assert "GiB free" in result.detail
    assert result.fix


def test_pants_check_fails_clearly_without_a_launcher(tmp_path: Path) -> None:
    result = checks.check_pants(tmp_path)
    assert not result.ok
    assert "not executable" in result.detail
    assert "./pants" in result.fix


def test_airflow_check_reports_a_failing_import(tmp_path: Path) -> None:
    fake_python = tmp_path / "python"
    fake_python.write_text("#!/bin/sh\necho 'ModuleNotFoundError: airflow' >&2\nexit 1\n")
    fake_python.chmod(0o755)
    result = checks.check_airflow(python=str(fake_python))
    assert not result.ok
    assert "ModuleNotFoundError: airflow" in result.detail
    assert result.fix


def test_pip_config_check_names_global_and_user_files_and_says_they_are_ignored(
    tmp_path: Path,
) -> None:
    global_dir, home = tmp_path / "xdg", tmp_path / "home"
    (global_dir / "pip").mkdir(parents=True)
    (global_dir / "pip" / "pip.conf").write_text("[global]\nconstraint = /etc/c.txt\ntimeout = 5\n")
    (home / ".config" / "pip").mkdir(parents=True)
    (home / ".config" / "pip" / "pip.conf").write_text("[global]\nfind-links = /opt/wheels\n")
    environ = {"XDG_CONFIG_DIRS": str(global_dir), "HOME": str(home), "PIP_CONSTRAINT": "/x"}

    result = checks.check_pip_config(environ, home, etc=tmp_path / "etc")

    assert result.ok  # informational: Hangar's installs do not read these files
    assert f"{global_dir}/pip/pip.conf (constraint)" in result.detail
    assert f"{home}/.config/pip/pip.conf (find-links)" in result.detail
    assert "$PIP_CONSTRAINT" in result.detail
    assert "Hangar ignores it" in result.detail


def test_pip_config_check_without_any_file(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_DIRS": str(tmp_path / "none"), "HOME": str(tmp_path)}
    result = checks.check_pip_config(environ, tmp_path, etc=tmp_path / "etc")
    assert result.ok
    assert result.detail == "no machine or user pip configuration"
