from __future__ import annotations

from pathlib import Path

import pytest
from ci_scripts.summarize_test_reports import main, summarize

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
  <testcase classname="a" name="ok1"/>
  <testcase classname="a" name="ok2"/>
  <testcase classname="a" name="bad"><failure message="boom"/></testcase>
  <testcase classname="a" name="err"><error message="setup"/></testcase>
  <testcase classname="a" name="skip"><skipped message="why"/></testcase>
</testsuite></testsuites>
"""


def test_counts_every_outcome_across_reports(tmp_path: Path) -> None:
    (tmp_path / "one.xml").write_text(REPORT)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "two.xml").write_text(REPORT)
    assert summarize(tmp_path) == (4, 4, 2)


def test_failures_make_a_red_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.xml").write_text(REPORT)
    assert main(["x", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip() == "tests: 2 passed, 2 failed, 1 skipped"


def test_all_passing_is_green(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.xml").write_text('<testsuite><testcase classname="a" name="ok"/></testsuite>')
    assert main(["x", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "tests: 1 passed, 0 failed, 0 skipped"


def test_no_executed_test_is_red(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(
        '<testsuite><testcase classname="a" name="s"><skipped/></testcase></testsuite>'
    )
    assert main(["x", str(tmp_path)]) == 1
    assert main(["x", str(tmp_path / "missing")]) == 1
