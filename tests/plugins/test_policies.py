"""The cluster policy rejects a DAG that breaks the rules at parse time; the others load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.settings import get_policy_plugin_manager

from hangar_plugins import policies

GOOD = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("good", schedule=None, start_date=pendulum.datetime(2026, 1, 1), tags=["t"],
         default_args={"owner": "data-eng", "retries": 1}):
    EmptyOperator(task_id="t")
"""
OWNERLESS = GOOD.replace('"good"', '"ownerless"').replace('"owner": "data-eng", ', "")
NO_RETRIES = GOOD.replace('"good"', '"no_retries"').replace('"retries": 1', '"retries": 0')


@pytest.fixture
def policy_registered() -> Iterator[None]:
    manager = get_policy_plugin_manager()
    manager.register(policies)
    yield
    manager.unregister(policies)


def _parse(tmp_path: Path) -> DagBag:
    for name, text in (("good.py", GOOD), ("ownerless.py", OWNERLESS), ("retries.py", NO_RETRIES)):
        (tmp_path / name).write_text(text)
    return DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)


def test_rule_breakers_are_rejected_with_the_fix_and_the_rest_load(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANGAR_ENV", raising=False)
    bag = _parse(tmp_path)
    assert sorted(bag.dags) == ["good"]
    errors = {Path(path).name: message for path, message in bag.import_errors.items()}
    assert set(errors) == {"ownerless.py", "retries.py"}
    assert "DAG 'ownerless' rejected by Hangar's cluster policy" in errors["ownerless.py"]
    assert "has no owner: set default_args={'owner': ...}" in errors["ownerless.py"]
    assert "has retries=0: set retries >= 1" in errors["retries.py"]


def test_dev_allows_zero_retries(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANGAR_ENV", "dev")
    bag = _parse(tmp_path)
    assert sorted(bag.dags) == ["good", "no_retries"]
    assert [Path(path).name for path in bag.import_errors] == ["ownerless.py"]


SCHEDULED = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("{dag_id}", schedule="@daily", start_date=pendulum.datetime(2026, 1, 1),
         tags=["owner:data-eng"{tags}], default_args={{"retries": 1}}{catchup}):
    EmptyOperator(task_id="t")
"""


def test_schedule_without_explicit_catchup_is_rejected(
    tmp_path: Path, policy_registered: None
) -> None:
    (tmp_path / "implicit.py").write_text(SCHEDULED.format(dag_id="implicit", tags="", catchup=""))
    (tmp_path / "explicit.py").write_text(
        SCHEDULED.format(dag_id="explicit", tags="", catchup=", catchup=False")
    )
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    assert sorted(bag.dags) == ["explicit"]
    [message] = bag.import_errors.values()
    assert (
        "DAG 'implicit' rejected by Hangar's cluster policy: a schedule but no explicit catchup "
        "(line 6)"
    ) in message
    assert "pass catchup=True to backfill missed intervals or catchup=False" in message


def test_owner_tag_and_alerts_are_defaults_every_dag_gets(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hangar_plugins.alerts.messages import AlertEvent
    from hangar_plugins.alerts.slack import HangarSlackNotifier

    monkeypatch.delenv("AIRFLOW__HANGAR__ALERT_ON_RETRY", raising=False)
    monkeypatch.setenv("AIRFLOW__HANGAR__SLACK_ALERTS", "True")
    for dag_id, tags in (("plain", ""), ("chatty", ', "alert:retry", "alert:success"')):
        (tmp_path / f"{dag_id}.py").write_text(
            SCHEDULED.format(dag_id=dag_id, tags=tags, catchup=", catchup=False")
        )
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    assert bag.import_errors == {}

    def events(callbacks: Any) -> list[AlertEvent]:
        return [c.event for c in callbacks or () if isinstance(c, HangarSlackNotifier)]

    plain, chatty = bag.dags["plain"], bag.dags["chatty"]
    assert plain.get_task("t").owner == "data-eng"  # from the owner: tag
    assert events(plain.get_task("t").on_failure_callback) == [AlertEvent.TASK_FAILED]
    assert events(plain.get_task("t").on_retry_callback) == []
    assert events(plain.on_failure_callback) == [AlertEvent.DAG_FAILED]
    assert events(plain.on_success_callback) == []
    assert events(chatty.get_task("t").on_retry_callback) == [AlertEvent.TASK_RETRY]
    assert events(chatty.on_success_callback) == [AlertEvent.DAG_SUCCEEDED]
    # What the scheduler reads (serialized) to send DAG callbacks to the dag-processor:
    assert (plain.has_on_failure_callback, plain.has_on_success_callback) == (True, False)
    assert chatty.has_on_success_callback


def test_retry_alerts_for_every_dag_when_the_platform_asks(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hangar_plugins.alerts.messages import AlertEvent

    monkeypatch.setenv("AIRFLOW__HANGAR__ALERT_ON_RETRY", "True")
    monkeypatch.setenv("AIRFLOW__HANGAR__SLACK_ALERTS", "True")
    (tmp_path / "d.py").write_text(SCHEDULED.format(dag_id="d", tags="", catchup=", catchup=True"))
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    callbacks: Any = bag.dags["d"].get_task("t").on_retry_callback
    assert [c.event for c in callbacks] == [AlertEvent.TASK_RETRY]


def test_without_slack_no_alert_is_attached(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__HANGAR__SLACK_ALERTS", "False")
    (tmp_path / "d.py").write_text(SCHEDULED.format(dag_id="d", tags="", catchup=", catchup=False"))
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    dag = bag.dags["d"]
    assert not dag.get_task("t").on_failure_callback
    assert not dag.on_failure_callback and not dag.has_on_failure_callback


def test_schedules_get_their_date_range_and_tasks_the_dates_check(
    tmp_path: Path, policy_registered: None
) -> None:
    from hangar_plugins.run_dates import check_run_dates
    from hangar_plugins.timetables import DatedCronTriggerTimetable

    (tmp_path / "d.py").write_text(SCHEDULED.format(dag_id="d", tags="", catchup=", catchup=False"))
    (tmp_path / "good.py").write_text(GOOD)
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    dated, manual = bag.dags["d"], bag.dags["good"]
    assert isinstance(dated.timetable, DatedCronTriggerTimetable)
    assert dated.timetable.range_start == dated.start_date
    task: Any = dated.get_task("t")
    assert task._pre_execute_hook is check_run_dates
    # A DAG without a schedule has no date range: any manual run gets its tasks.
    assert manual.start_date is None and manual.get_task("t").start_date is None


TWO_OWNERLESS = """
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

for dag_id in ("legacy_a", "legacy_b"):
    with DAG(dag_id, schedule=None, start_date=pendulum.datetime(2026, 1, 1),
             default_args={"retries": 1}):
        EmptyOperator(task_id="extract") >> EmptyOperator(task_id="load")
"""


def test_enforce_mode_names_every_task_in_one_clause_per_rule(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANGAR_DAG_POLICY", raising=False)
    (tmp_path / "legacy.py").write_text(TWO_OWNERLESS)
    bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    assert bag.dags == {}
    [message] = bag.import_errors.values()  # Airflow keeps one error per file
    assert message.endswith(
        "rejected by Hangar's cluster policy: no tags: add tags=[...] (team, domain); "
        "2 tasks have no owner (extract, load): set default_args={'owner': ...}"
    )


def test_warn_mode_loads_rule_breakers_and_notes_each_dag_once(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hangar_plugins.policy_record import collecting

    monkeypatch.delenv("HANGAR_ENV", raising=False)
    monkeypatch.setenv("HANGAR_DAG_POLICY", "warn")
    (tmp_path / "legacy.py").write_text(TWO_OWNERLESS)
    (tmp_path / "good.py").write_text(GOOD)
    with collecting() as noted:
        bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["good", "legacy_a", "legacy_b"]
    assert noted == {
        dag_id: [
            "no tags: add tags=[...] (team, domain)",
            "2 tasks have no owner (extract, load): set default_args={'owner': ...}",
        ]
        for dag_id in ("legacy_a", "legacy_b")
    }
    # Loaded with the platform's defaults all the same (the DAG-run alert, the date guard).
    assert bag.dags["legacy_a"].get_task("load").retries == 1


def test_a_deploy_parse_notes_violations_in_enforce_mode_too(
    tmp_path: Path, policy_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hangar_plugins.policy_record import collecting

    monkeypatch.setenv("HANGAR_DAG_POLICY", "enforce")
    (tmp_path / "legacy.py").write_text(TWO_OWNERLESS)
    with collecting() as noted:
        bag = DagBag(dag_folder=str(tmp_path), bundle_path=tmp_path, safe_mode=False)
    assert bag.dags == {} and len(bag.import_errors) == 1
    assert sorted(noted) == ["legacy_a", "legacy_b"]  # both, though one import error shows


def test_a_rejection_is_recognised_among_import_errors() -> None:
    from airflow.exceptions import AirflowClusterPolicyViolation

    rejection = policies.rejection_message("legacy", ["no tags: add tags=[...] (team, domain)"])
    assert policies.is_rejection(f"{AirflowClusterPolicyViolation.__name__}: {rejection}")
    assert not policies.is_rejection("ValueError: rejected by Hangar's cluster policy")
    assert not policies.is_rejection("AirflowClusterPolicyViolation: another policy's")
