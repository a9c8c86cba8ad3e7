"""The notifier posts through the Slack provider's real client to a local fake Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

from hangar_plugins.alerts.messages import AlertEvent
from hangar_plugins.alerts.slack import HangarSlackNotifier
from tests.support.fake_slack import FakeSlack

TOKEN = "xoxb-unit-test-token"


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        connection = {"conn_type": "slack", "password": TOKEN, "extra": {"base_url": fake.base_url}}
        monkeypatch.setenv("AIRFLOW_CONN_SLACK", json.dumps(connection))
        monkeypatch.setenv("AIRFLOW__HANGAR__ALERT_CHANNEL", "#platform-default")
        yield fake


def _context(tags: list[str]) -> dict[str, object]:
    with DAG("d", schedule=None, tags=tags) as dag:
        t = EmptyOperator(task_id="t", owner="o")
    ti = SimpleNamespace(task_id="t", run_id="manual__1", try_number=1, log_url="http://x/log")
    return {
        "dag": dag,
        "dag_run": SimpleNamespace(dag_id="d", run_id="manual__1"),
        "ti": ti,
        "task": t,
        "params": {},
    }


def test_failure_alert_reaches_the_web_api_with_the_token_and_the_dag_channel(
    slack: FakeSlack,
) -> None:
    HangarSlackNotifier(event=AlertEvent.TASK_FAILED)(_context(["slack:#team-d"]))
    [message] = slack.messages()
    assert message.headers["authorization"] == f"Bearer {TOKEN}"
    assert message.body["channel"] == "#team-d"
    assert message.body["text"].splitlines()[:5] == [
        ":red_circle: Task failed: d.t",
        "DAG: d",
        "Task: t",
        "Try: 1",
        "Owner: o",
    ]


def test_default_channel_comes_from_config(slack: FakeSlack) -> None:
    notifier = HangarSlackNotifier(event=AlertEvent.TASK_FAILED)
    notifier(_context([]))
    notifier(_context(["slack:#second"]))  # one instance serves many callbacks
    assert [m.body["channel"] for m in slack.messages()] == ["#platform-default", "#second"]
