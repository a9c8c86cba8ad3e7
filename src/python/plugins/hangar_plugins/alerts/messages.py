"""What an alert says and where it goes, computed from an Airflow callback context.

Pure functions over the context so they are unit-tested without Slack or a running Airflow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

from hangar_plugins.tags import tag_value

# A DAG chooses its channel with a tag ``slack:#channel`` or a param ``slack_channel``.
CHANNEL_TAG_PREFIX = "slack:"
CHANNEL_PARAM = "slack_channel"
# Opt-ins by tag: a retry alert (also switched on for every DAG by [hangar] alert_on_retry), and
# a success alert for DAGs whose success someone waits for.
RETRY_TAG = "alert:retry"
SUCCESS_TAG = "alert:success"


class AlertEvent(str, Enum):
    TASK_FAILED = "task_failed"
    TASK_RETRY = "task_retry"
    DAG_FAILED = "dag_failed"
    DAG_SUCCEEDED = "dag_succeeded"

    @property
    def headline(self) -> str:
        return {
            AlertEvent.TASK_FAILED: ":red_circle: Task failed",
            AlertEvent.TASK_RETRY: ":large_orange_circle: Task up for retry",
            AlertEvent.DAG_FAILED: ":red_circle: DAG run failed",
            AlertEvent.DAG_SUCCEEDED: ":large_green_circle: DAG run succeeded",
        }[self]

    @property
    def is_task_event(self) -> bool:
        return self in (AlertEvent.TASK_FAILED, AlertEvent.TASK_RETRY)


@dataclass(frozen=True, kw_only=True)
class Alert:
    """The fields every Hangar alert names."""

    event: AlertEvent
    dag_id: str
    run_id: str
    task_id: str | None
    try_number: int | None
    owner: str
    log_url: str
    reason: str | None = None

    @property
    def text(self) -> str:
        subject = f"{self.dag_id}.{self.task_id}" if self.task_id else self.dag_id
        lines = [
            f"{self.event.headline}: {subject}",
            f"DAG: {self.dag_id}",
            f"Task: {self.task_id or '-'}",
            f"Try: {self.try_number if self.try_number is not None else '-'}",
            f"Owner: {self.owner}",
            f"Run: {self.run_id}",
            f"Log: {self.log_url}",
        ]
        if self.reason:
            lines.append(f"Reason: {self.reason}")
        return "\n".join(lines)


def _owner_of(task: Any, dag: Any) -> str:
    owner = getattr(task, "owner", None) if task is not None else None
    return str(owner or getattr(dag, "owner", None) or "unknown")


def _run_url(base_url: str, dag_id: str, run_id: str) -> str:
    return f"{base_url.rstrip('/')}/dags/{dag_id}/runs/{quote(run_id, safe='')}"


def build_alert(event: AlertEvent, context: Mapping[str, Any], *, base_url: str) -> Alert:
    """The alert for ``event`` from a task or DAG callback ``context``."""
    dag = context.get("dag")
    dag_run = context.get("dag_run")
    ti = context.get("ti") or context.get("task_instance")
    dag_id = str(getattr(dag, "dag_id", None) or getattr(dag_run, "dag_id", "?"))
    run_id = str(getattr(dag_run, "run_id", None) or getattr(ti, "run_id", "?"))
    reason = context.get("reason")
    exception = context.get("exception")
    if event.is_task_event and ti is not None:
        task = context.get("task") or getattr(ti, "task", None)
        log_url = getattr(ti, "log_url", None) or _run_url(base_url, dag_id, run_id)
        return Alert(
            event=event,
            dag_id=dag_id,
            run_id=run_id,
            task_id=str(ti.task_id),
            try_number=getattr(ti, "try_number", None),
            owner=_owner_of(task, dag),
            log_url=str(log_url),
            reason=f"{type(exception).__name__}: {exception}" if exception else None,
        )
    return Alert(
        event=event,
        dag_id=dag_id,
        run_id=run_id,
        task_id=None,
        try_number=None,
        owner=_owner_of(None, dag),
        log_url=_run_url(base_url, dag_id, run_id),
        reason=str(reason) if reason else None,
    )


def channel_for(
    *, tags: Iterable[str] | None, params: Mapping[str, Any] | None, default: str
) -> str:
    """The param ``slack_channel`` wins, then a ``slack:<channel>`` tag, then ``default``."""
    chosen = (params or {}).get(CHANNEL_PARAM)
    if isinstance(chosen, str) and chosen.strip():
        return chosen.strip()
    return tag_value(tags, CHANNEL_TAG_PREFIX) or default
