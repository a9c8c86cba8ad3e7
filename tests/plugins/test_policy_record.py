"""Warn mode's record of each DAG's violations: one Variable per DAG, written on change only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from airflow.sdk.execution_time import task_runner
from airflow.sdk.execution_time.comms import (
    DeleteVariable,
    ErrorResponse,
    GetVariable,
    PutVariable,
    VariableResult,
)

from hangar_plugins import policy_record
from hangar_plugins.policy_record import (
    VARIABLE_PREFIX,
    PolicyViolation,
    collect,
    collecting,
    current_violations,
    decode,
    encode,
    in_dag_processor,
    record,
    variable_key,
)

CLAUSES = ["no tags: add tags=[...] (team, domain)", "task t has no owner: set ..."]


class FakeComms:
    """The dag-processor's channel to its manager: Variables in a dict."""

    def __init__(self, stored: dict[str, str] | None = None) -> None:
        self.stored = dict(stored or {})
        self.sent: list[Any] = []

    def send(self, msg: Any) -> Any:
        self.sent.append(msg)
        if isinstance(msg, GetVariable):
            if msg.key in self.stored:
                return VariableResult(key=msg.key, value=self.stored[msg.key])
            return ErrorResponse()
        if isinstance(msg, PutVariable):
            self.stored[msg.key] = msg.value or ""
        elif isinstance(msg, DeleteVariable):
            self.stored.pop(msg.key, None)
        return None


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> FakeComms:
    fake = FakeComms()
    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", fake, raising=False)
    monkeypatch.setattr("sys.argv", ["/venv/bin/airflow", "dag-processor"])
    return fake


def test_a_record_round_trips_and_reads_as_one_line() -> None:
    value = encode("legacy", CLAUSES)
    assert decode(value) == PolicyViolation("legacy", CLAUSES)
    assert PolicyViolation("legacy", CLAUSES).message == "DAG 'legacy': " + "; ".join(CLAUSES)
    assert decode("not json") is None and decode('{"dag_id": "x"}') is None


def test_only_current_records_of_loaded_dags_are_listed() -> None:
    records = {
        variable_key("b"): encode("b", CLAUSES),
        variable_key("a"): encode("a", CLAUSES[:1]),
        variable_key("removed"): encode("removed", CLAUSES),
        variable_key("edited"): "by hand",
        "dag_number": "10",
    }
    found = current_violations(records, {"a", "b", "edited", "dag_number"})
    assert [(v.dag_id, len(v.clauses)) for v in found] == [("a", 1), ("b", 2)]


def test_the_dag_processor_writes_once_rewrites_on_change_and_forgets_a_fixed_dag(
    comms: FakeComms,
) -> None:
    record("legacy", CLAUSES)
    assert json.loads(comms.stored[VARIABLE_PREFIX + "legacy"])["clauses"] == CLAUSES
    [put] = [m for m in comms.sent if isinstance(m, PutVariable)]
    assert put.description == policy_record.DESCRIPTION
    comms.sent.clear()
    record("legacy", CLAUSES)  # the next parse, nothing changed: a read, no write
    assert [type(m) for m in comms.sent] == [GetVariable]
    record("legacy", CLAUSES[:1])
    assert decode(comms.stored[VARIABLE_PREFIX + "legacy"]) == PolicyViolation(
        "legacy", CLAUSES[:1]
    )
    comms.sent.clear()
    record("legacy", [])
    assert comms.stored == {}
    assert [type(m) for m in comms.sent] == [GetVariable, DeleteVariable]
    comms.sent.clear()
    record("compliant", [])  # never recorded: one read
    assert [type(m) for m in comms.sent] == [GetVariable]


def test_other_processes_record_nothing_and_a_failing_channel_fails_no_parse(
    comms: FakeComms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", ["/venv/bin/airflow", "celery", "worker"])
    record("legacy", CLAUSES)
    assert comms.sent == []
    monkeypatch.setattr("sys.argv", ["/venv/bin/airflow", "dag-processor"])

    def broken(msg: Any) -> Any:
        raise ConnectionError("manager gone")

    monkeypatch.setattr(comms, "send", broken)
    record("legacy", CLAUSES)  # logged, not raised


def test_in_dag_processor_reads_the_command() -> None:
    assert in_dag_processor(["/v/bin/airflow", "dag-processor"])
    assert not in_dag_processor(["/v/bin/airflow", "scheduler"])
    assert not in_dag_processor(["pytest"])


def test_collecting_keeps_violations_in_memory_and_nests(comms: FakeComms) -> None:
    assert collect("x", CLAUSES) is False
    with collecting() as outer:
        assert collect("legacy", CLAUSES) is True
        assert collect("good", []) is True
        with collecting() as inner:
            collect("inner", CLAUSES)
        collect("legacy", CLAUSES[:1])
    assert outer == {"legacy": CLAUSES[:1]} and inner == {"inner": CLAUSES}
    assert comms.sent == []
