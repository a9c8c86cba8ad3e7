from __future__ import annotations

from hangar_common.doctor.result import CheckResult, render_table


def test_table_lists_each_check_and_the_fix_of_each_failure() -> None:
    table = render_table(
        [
            CheckResult(name="python", ok=True, detail="CPython 3.11.7"),
            CheckResult(name="postgresql", ok=False, detail="refused", fix="start PostgreSQL"),
        ]
    )
    lines = table.splitlines()
    assert lines[0].split() == ["CHECK", "STATUS", "DETAIL"]
    assert lines[1].split()[:2] == ["python", "OK"]
    assert lines[2].split()[:2] == ["postgresql", "FAIL"]
    assert lines[3].strip() == "fix: start PostgreSQL"
    assert lines[-1] == "1 of 2 checks OK, 1 FAILED"


def test_no_fix_line_for_passing_checks() -> None:
    table = render_table([CheckResult(name="disk", ok=True, detail="80 GiB", fix="unused")])
    assert "fix:" not in table
    assert table.splitlines()[-1] == "1 of 1 checks OK"


def test_warnings_pass_and_are_counted() -> None:
    table = render_table(
        [
            CheckResult(name="disk", ok=True, detail="80 GiB"),
            CheckResult(name="DAG legacy", ok=True, warning=True, detail="no tags", fix="unused"),
        ]
    )
    assert table.splitlines()[2].split()[:3] == ["DAG", "legacy", "WARN"]
    assert "fix:" not in table
    assert table.splitlines()[-1] == "2 of 2 checks OK (1 with warnings)"
