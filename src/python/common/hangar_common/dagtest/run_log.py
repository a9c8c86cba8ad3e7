"""Each task's lines of a ``dag.test()`` log, for the report's log tails.

``dag.test()`` runs one task at a time in its own process and logs ``[DAG TEST] starting
task_id=T map_index=M`` before and ``[DAG TEST] end task task_id=T map_index=M`` after each:
everything between belongs to that task (its own log lines, prints and tracebacks). Lines that
only narrate Airflow's machinery (the in-process API, its warnings) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
# Loggers and markers that say nothing about what the task did.
_NOISE = re.compile(
    r"\[(airflow\.api_fastapi\.[\w.]+|airflow\.sdk\.definitions\.dag|py\.warnings)\]"
    r"|::(end)?group::|Pushing xcom\s+\[task\]"
)
# The last line of a traceback: "ValueError: ...", "airflow...AirflowConfigException: ...".
_EXCEPTION = re.compile(
    r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Violation)\w*: "
)
# A traceback frame in an installed package (Airflow's machinery) or the import system.
_PACKAGE_FRAME = re.compile(r'^  File "(<frozen [^>]+>|[^"]*/(site|dist)-packages/[^"]*)", line ')
_LEVEL = re.compile(r"^\[(\w+)\s+\] ")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ")
_LOCATION = re.compile(r" loc=\S+")
MAX_LINE = 240


def _readable(line: str) -> str:
    line = _LOCATION.sub("", _TIMESTAMP.sub("", line.rstrip()))
    line = _LEVEL.sub(r"[\1] ", line)
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def task_sections(lines: Iterable[str]) -> dict[tuple[str, int], list[str]]:
    """``(task_id, map_index)`` → that task's log lines (every attempt's, in order), with
    traceback frames of installed packages left out (the DAG's and Hangar's own stay)."""
    sections: dict[tuple[str, int], list[str]] = {}
    current: list[str] | None = None
    in_package_frame = False
    for line in lines:
        if _PACKAGE_FRAME.match(line):
            in_package_frame = True
            continue
        if in_package_frame and line.startswith("    "):
            continue  # the frame's source line and its ^^^ marks
        in_package_frame = False
        start = _START.search(line)
        if start:
            current = sections.setdefault((start.group(1), int(start.group(2))), [])
            continue
        if _END.search(line):
            current = None
            continue
        if current is not None and line.strip() and not _NOISE.search(line):
            current.append(_readable(line))
    return sections


def last_exception(lines: Iterable[str]) -> str:
    """The last exception line of ``lines`` ("Type: message"), "" when there is none."""
    found = ""
    for line in lines:
        if _EXCEPTION.match(line.strip()):
            found = line.strip()
    return found
