"""Slack alerts on the Celery stack, received by a local fake of Slack's Web API.

The stack's DAG bundle is a folder of this test's DAGs; the ``slack`` connection that
``./hangar init`` creates from config/environment.yaml points at the fake through
HANGAR_SLACK_API_URL, exactly as it would point at https://slack.com/api/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from hangar_common.platform.api_client import AirflowApi
from tests.support.fake_slack import FakeSlack, SlackRequest
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env
from tests.support.postgres import scratch_database
from tests.support.redis_server import RedisServer

TOKEN = "xoxb-hangar-it-0123456789-secret"

ALERT_DAGS = """
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, task


def alert_dag(dag_id, *tags, **kwargs):
    return DAG(
        dag_id,
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        tags=["owner:alerts-team", *tags],
        default_args={"retries": 1, "retry_delay": timedelta(seconds=1)},
        **kwargs,
    )


with alert_dag("alert_fails", "slack:#team-fails"):

    @task
    def explode():
        raise RuntimeError("boom for the alert test")

    explode()

with alert_dag("alert_retries", "alert:retry", params={"slack_channel": "#team-retries"}):

    @task
    def flaky(ti=None):
        if ti.try_number == 1:
            raise RuntimeError("first try fails")
        return "ok"

    flaky()

with alert_dag("alert_quiet"):

    @task
    def fine():
        return "ok"

    fine()

with alert_dag("alert_success", "alert:success"):

    @task
    def done():
        return "ok"

    done()
"""
DAGS = ("alert_fails", "alert_retries", "alert_quiet", "alert_success")


@dataclass
class AlertStack:
    api: AirflowApi
    slack: FakeSlack
    state: Path

    def run(self, dag_id: str) -> tuple[str, str]:
        run_id = self.api.trigger(dag_id)
        return run_id, self.api.wait_for_run(dag_id, run_id, timeout=180)

    def about(self, dag_id: str) -> list[SlackRequest]:
        return [m for m in self.slack.messages() if f"\nDAG: {dag_id}\n" in m.body["text"]]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AlertStack]:
    tmp = tmp_path_factory.mktemp("alerts")
    dags = tmp / "dags"
    dags.mkdir()
    (dags / "alert_dags.py").write_text(ALERT_DAGS)
    broker = RedisServer(tmp / "redis")
    broker.start()
    state = tmp / "state"
    with FakeSlack() as slack, scratch_database("hangar_it_alerts") as metadata_db:
        env = stack_env(
            state,
            HANGAR_METADATA_DB_URL=metadata_db,
            HANGAR_REDIS_URL=broker.url,
            HANGAR_DAG_BUNDLE_ROOT=str(dags),
            HANGAR_SLACK_API_URL=slack.base_url,
            HANGAR_SLACK_TOKEN=TOKEN,
            HANGAR_ALERT_CHANNEL="#it-default",
        )
        up = hangar(env, "up", "--stack", "celery", "--workers", "1", "--timeout", "300")
        try:
            assert up.returncode == 0, up.stdout + up.stderr
            api = AirflowApi(api_url(env), "admin", ADMIN_PASSWORD)
            for dag_id in DAGS:
                api.wait_for_dag(dag_id)
                api.unpause(dag_id)
            yield AlertStack(api, slack, state)
        finally:
            down = hangar(env, "down")
            broker.stop()
        assert down.returncode == 0, down.stdout + down.stderr
        assert processes_of(state) == []


def _ended(ti: dict) -> float:
    return datetime.fromisoformat(ti["end_date"].replace("Z", "+00:00")).timestamp()


def test_failing_task_sends_one_alert_with_its_fields_within_10_s(stack: AlertStack) -> None:
    run_id, state = stack.run("alert_fails")
    assert state == "failed"
    [ti] = stack.api.task_instances("alert_fails", run_id)
    assert (ti["state"], ti["try_number"]) == ("failed", 2)

    # The DAG-run failure alert comes last (from the dag-processor, after the run ended): once
    # it is here, no task alert of this run can still arrive (they are sent by the task
    # processes before the run ends), so counting now counts them all.
    dag_failures = stack.slack.wait_for(
        lambda m: m.body["text"].startswith(":red_circle: DAG run failed: alert_fails"), 60
    )
    assert len(dag_failures) == 1
    run_ended = datetime.fromisoformat(stack.api.run("alert_fails", run_id)["end_date"])
    delay = dag_failures[0].received_at - run_ended.timestamp()
    print(f"DAG-run failure alert arrived {delay:.2f} s after the run ended")
    failures = [
        m
        for m in stack.slack.messages()
        if m.body["text"].startswith(":red_circle: Task failed: alert_fails.explode")
    ]
    assert len(failures) == 1
    [alert] = failures
    print(f"task failure alert arrived {alert.received_at - _ended(ti):.2f} s after the task ended")
    assert alert.received_at - _ended(ti) <= 10
    assert alert.headers["authorization"] == f"Bearer {TOKEN}"
    assert alert.body["channel"] == "#team-fails"  # the DAG's slack: tag
    lines = alert.body["text"].splitlines()
    assert lines[1:5] == ["DAG: alert_fails", "Task: explode", "Try: 2", "Owner: alerts-team"]
    assert f"Run: {run_id}" in lines
    log_line = next(line for line in lines if line.startswith("Log: "))
    assert log_line.startswith(f"Log: {api_url_of(stack)}/dags/alert_fails/runs/")
    assert log_line.endswith("/tasks/explode?try_number=2")
    assert "Reason: RuntimeError: boom for the alert test" in lines

    assert dag_failures[0].body["channel"] == "#team-fails"
    # Retry alerts are off unless asked for: the first failed try sent nothing.
    assert not [m for m in stack.about("alert_fails") if "up for retry" in m.body["text"]]


def api_url_of(stack: AlertStack) -> str:
    return stack.api.base_url.rstrip("/")


def test_retry_alert_only_where_configured(stack: AlertStack) -> None:
    run_id, state = stack.run("alert_retries")
    assert state == "success"
    # Sent by try 1's process before try 2 ran: the finished run's alerts are all here.
    retries = [
        m for m in stack.slack.messages() if "Task up for retry: alert_retries" in m.body["text"]
    ]
    assert len(retries) == 1
    assert retries[0].body["channel"] == "#team-retries"  # the DAG's slack_channel param
    assert "Try: 1" in retries[0].body["text"].splitlines()
    assert [m.body["text"].splitlines()[0] for m in stack.about("alert_retries")] == [
        ":large_orange_circle: Task up for retry: alert_retries.flaky"
    ]


def test_success_is_silent_unless_the_dag_asks(stack: AlertStack) -> None:
    assert stack.run("alert_quiet")[1] == "success"
    assert stack.run("alert_success")[1] == "success"
    successes = stack.slack.wait_for(
        lambda m: m.body["text"].startswith(
            ":large_green_circle: DAG run succeeded: alert_success"
        ),
        60,
    )
    assert len(successes) == 1
    assert successes[0].body["channel"] == "#it-default"  # the platform's default channel
    # alert_quiet finished before alert_success's DAG callback arrived: nothing came for it.
    assert stack.about("alert_quiet") == []


def test_the_token_never_reaches_a_log(stack: AlertStack) -> None:
    assert stack.slack.messages(), "alerts were sent, so the token was used"
    leaks = [
        str(path)
        for path in stack.state.rglob("*")
        if path.is_file() and path.suffix in (".log", ".json", "") and TOKEN in _text(path)
    ]
    assert leaks == []


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
