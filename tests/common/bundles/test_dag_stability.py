from __future__ import annotations

import copy
from typing import Any

from hangar_common.bundles.dag_snapshots import BundleSnapshot
from hangar_common.bundles.dag_stability import (
    compare_parses,
    differences,
    likely_cause,
    locate,
    refusal_lines,
)


def _dag(command: str, tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "__version": 3,
        "dag": {
            "dag_id": "stamped",
            "tags": tags or ["a"],
            "tasks": [
                {"__type": "operator", "__var": {"task_id": "first", "retries": 1}},
                {
                    "__type": "operator",
                    "__var": {
                        "task_id": "stamp",
                        "op_kwargs": {"__type": "dict", "__var": {"when": command}},
                    },
                },
            ],
        },
    }


def _parse(dag: dict[str, Any], *, findings: list[str] | None = None) -> BundleSnapshot:
    return BundleSnapshot(
        dags={"stamped": dag},
        hashes={"stamped": repr(dag)},
        files={"stamped": "stamped.py"},
        static_findings={"stamped.py": findings} if findings else {},
    )


def test_identical_parses_are_stable() -> None:
    assert compare_parses(_parse(_dag("x")), _parse(copy.deepcopy(_dag("x")))) == []


def test_a_parse_time_timestamp_names_dag_task_field_and_cause() -> None:
    first = _parse(_dag("2026-12-07T07:18:10.553848"), findings=["line 8: datetime.now()"])
    [found] = compare_parses(first, _parse(_dag("2026-12-07T07:18:10.645738")))
    assert (found.dag_id, found.task_id, found.field) == ("stamped", "stamp", "op_kwargs.when")
    assert found.cause.startswith("the time at parse time (datetime.now()")
    assert found.cause.endswith("(Airflow's static check: line 8: datetime.now())")
    assert refusal_lines([found]) == [
        "refused: this DAG serializes differently at each parse (each parse would store a new "
        "DAG version): stamped",
        "  DAG stamped: task stamp, field op_kwargs.when differs between two parses "
        "('2026-12-07T07:18:10.553848' vs '2026-12-07T07:18:10.645738'); likely cause: "
        + found.cause,
    ]


def test_causes_from_the_values() -> None:
    assert "unordered" in likely_cause(["b", "a"], ["a", "b"], [])
    assert "unordered" in likely_cause("a,b", "b,a", [])
    assert "unordered" in likely_cause([{"k": 1}, {"k": 2}], [{"k": 2}, {"k": 1}], [])
    assert "uuid" in likely_cause("3f1e0c52-9a4f-4c3e-8d55-0c1b2a3d4e5f", "other", [])
    assert "random" in likely_cause(0.1234, 0.9876, [])
    assert "the time at parse time" in likely_cause(1793491200.0, 1793491201.5, [])


def test_a_dag_built_by_one_parse_only() -> None:
    empty = BundleSnapshot(dags={}, hashes={}, files={})
    [found] = compare_parses(_parse(_dag("x")), empty)
    assert (found.dag_id, found.field) == ("stamped", "(the DAG itself)")
    assert "one parse only" in found.cause


def test_differences_and_locations() -> None:
    one, two = _dag("x", ["a", "b"]), _dag("x", ["b", "a"])
    [(path, first, second)] = list(differences(one, two))
    assert (path, first, second) == (("dag", "tags"), ["a", "b"], ["b", "a"])
    assert locate(one, path) == (None, "tags")
    path = ("dag", "tasks", 1, "__var", "op_kwargs", "__var", "args", 0)
    assert locate(one, path) == ("stamp", "op_kwargs.args[0]")
