"""Sum up Pants' JUnit XML reports into one closing line: ``tests: N passed, N failed, N skipped``.

Exit status 1 when any test failed or errored, or when the reports hold no executed test at all
(a test run that ran nothing is a defect, not a success).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def summarize(report_dir: Path) -> tuple[int, int, int]:
    """Return (passed, failed, skipped) over every ``<testcase>`` of every report."""
    passed = failed = skipped = 0
    for report in sorted(report_dir.rglob("*.xml")):
        for case in ET.parse(report).getroot().iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(argv: list[str]) -> int:
    report_dir = Path(argv[1] if len(argv) > 1 else "dist/test/reports")
    if not report_dir.is_dir():
        print(
            f"summarize_test_reports: no reports in {report_dir}: did the tests run?",
            file=sys.stderr,
        )
        return 1
    passed, failed, skipped = summarize(report_dir)
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    if passed + failed == 0:
        print("summarize_test_reports: no test was executed", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
