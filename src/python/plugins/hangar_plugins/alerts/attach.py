"""Attach Hangar's Slack alerts to a DAG and its tasks (called by the cluster policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hangar_plugins.alerts import config
from hangar_plugins.alerts.messages import RETRY_TAG, SUCCESS_TAG, AlertEvent
from hangar_plugins.alerts.slack import HangarSlackNotifier, is_hangar_alert

if TYPE_CHECKING:
    from airflow.sdk import DAG


def _with_alert(callbacks: Any, event: AlertEvent) -> list[Any]:
    """``callbacks`` (None, one callable or a list) plus the alert for ``event``, once."""
    if callbacks is None:
        existing: list[Any] = []
    elif isinstance(callbacks, list | tuple):
        existing = list(callbacks)
    else:
        existing = [callbacks]
    if any(is_hangar_alert(callback, event) for callback in existing):
        return existing
    return [*existing, HangarSlackNotifier(event=event)]


def attach_alerts(dag: DAG, *, retry_alerts: bool | None = None) -> None:
    """Failure alerts on every task and on the DAG run; retry and success alerts where asked.

    Retry alerts: DAGs tagged ``alert:retry``, or all DAGs with ``[hangar] alert_on_retry``.
    Success alerts: DAGs tagged ``alert:success`` only (silence is the default for success).
    Nothing is attached while Slack is not configured (``[hangar] slack_alerts`` false).
    """
    if not config.slack_enabled():
        return
    tags = set(dag.tags or ())
    on_retry = RETRY_TAG in tags or (
        config.alert_on_retry() if retry_alerts is None else retry_alerts
    )
    for task in dag.tasks:
        task.on_failure_callback = _with_alert(task.on_failure_callback, AlertEvent.TASK_FAILED)
        if on_retry:
            task.on_retry_callback = _with_alert(task.on_retry_callback, AlertEvent.TASK_RETRY)
    dag.on_failure_callback = _with_alert(dag.on_failure_callback, AlertEvent.DAG_FAILED)
    # The DAG's has_on_*_callback flags are computed once, when the DAG is built; the scheduler
    # reads them (serialized) to decide whether a DAG callback is sent to the dag-processor.
    dag.has_on_failure_callback = True
    if SUCCESS_TAG in tags:
        dag.on_success_callback = _with_alert(dag.on_success_callback, AlertEvent.DAG_SUCCEEDED)
        dag.has_on_success_callback = True
