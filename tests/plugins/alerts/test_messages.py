from __future__ import annotations

from types import SimpleNamespace

import pytest

from hangar_plugins.alerts.messages import AlertEvent, build_alert, channel_for

BASE = "http://airflow.example:8080"


def _task_context() -> dict[str, object]:
    ti = SimpleNamespace(
        task_id="load",
        run_id="scheduled__2026-11-20T00:00:00+00:00",
        try_number=3,
        log_url=f"{BASE}/dags/ingest/runs/r/tasks/load?try_number=3",
    )
    return {
        "dag": SimpleNamespace(dag_id="ingest", owner="data-eng", tags=["ingest"]),
        "dag_run": SimpleNamespace(dag_id="ingest", run_id=ti.run_id),
        "ti": ti,
        "task": SimpleNamespace(owner="alice"),
        "exception": ValueError("bad header"),
    }


def test_task_failure_names_dag_task_try_owner_and_log_url() -> None:
    alert = build_alert(AlertEvent.TASK_FAILED, _task_context(), base_url=BASE)
    assert (alert.dag_id, alert.task_id, alert.try_number, alert.owner) == (
        "ingest",
        "load",
        3,
        "alice",
    )
    assert alert.text.splitlines() == [
        ":red_circle: Task failed: ingest.load",
        "DAG: ingest",
        "Task: load",
        "Try: 3",
        "Owner: alice",
        "Run: scheduled__2026-11-20T00:00:00+00:00",
        f"Log: {BASE}/dags/ingest/runs/r/tasks/load?try_number=3",
        "Reason: ValueError: bad header",
    ]


def test_dag_run_failure_links_the_run_and_names_the_dag_owner() -> None:
    context = _task_context()
    del context["ti"]
    context["reason"] = "task_failure"
    alert = build_alert(AlertEvent.DAG_FAILED, context, base_url=BASE + "/")
    assert alert.task_id is None
    assert alert.owner == "data-eng"
    assert alert.log_url == (
        f"{BASE}/dags/ingest/runs/scheduled__2026-11-20T00%3A00%3A00%2B00%3A00"
    )
    assert alert.text.startswith(":red_circle: DAG run failed: ingest\n")
    assert "Reason: task_failure" in alert.text


@pytest.mark.parametrize(
    ("tags", "params", "expected"),
    [
        (["ingest"], {}, "#default"),
        (["slack:#team-ingest", "ingest"], {}, "#team-ingest"),
        (["slack:#team-ingest"], {"slack_channel": "#oncall"}, "#oncall"),
        (["slack:  "], {"slack_channel": " "}, "#default"),
        (None, None, "#default"),
    ],
)
def test_channel_param_beats_tag_beats_default(
    tags: list[str] | None, params: dict[str, str] | None, expected: str
) -> None:
    assert channel_for(tags=tags, params=params, default="#default") == expected
