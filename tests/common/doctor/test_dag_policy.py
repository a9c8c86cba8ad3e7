from __future__ import annotations

from pathlib import Path
from typing import Any

from hangar_common.doctor.dag_policy import dag_policy_results
from hangar_common.doctor.result import render_table
from hangar_common.settings import HangarSettings

STATUS = {
    "policy_violations": [
        {"dag_id": "legacy_b", "clauses": ["task t has no owner: set default_args=..."]},
        {"dag_id": "legacy_a", "clauses": ["no tags: add tags=[...]", "2 tasks have no owner"]},
    ]
}


def _results(mode: str, status: Any) -> list[Any]:
    def status_of(root: Path, env: Any) -> Any:
        if isinstance(status, Exception):
            raise status
        return status

    settings = HangarSettings.from_env({"HANGAR_DAG_POLICY": mode})
    return dag_policy_results(Path("/checkout"), settings, {}, status_of=status_of)


def test_warn_mode_lists_one_row_per_dag_as_warnings() -> None:
    results = _results("warn", STATUS)
    table = render_table(results)
    lines = table.splitlines()
    assert lines[1].split()[:2] == ["dag-policy", "WARN"]
    assert "HANGAR_DAG_POLICY=warn: 2 loaded DAGs break the DAG rules (below)" in lines[1]
    assert lines[2].split()[:3] == ["DAG", "legacy_a", "WARN"]
    assert lines[2].endswith("no tags: add tags=[...]; 2 tasks have no owner")
    assert lines[3].split()[:3] == ["DAG", "legacy_b", "WARN"]
    assert lines[-1] == "3 of 3 checks OK (3 with warnings)"
    assert all(result.ok for result in results)  # doctor still exits 0


def test_warn_mode_without_violations_or_platform() -> None:
    [clean] = _results("warn", {"policy_violations": []})
    assert (clean.status, clean.detail) == (
        "OK",
        "HANGAR_DAG_POLICY=warn: 0 loaded DAGs break the DAG rules",
    )
    [down] = _results("warn", None)
    assert down.status == "OK" and "the platform is not running" in down.detail
    [broken] = _results("warn", ConnectionError("refused"))
    assert broken.status == "WARN" and "did not answer: refused" in broken.detail


def test_enforce_mode_adds_no_row() -> None:
    assert _results("enforce", STATUS) == []
