"""What the Hangar page shows, read from Airflow's metadata DB, the bundle store and Celery.

Runs inside the API server (which owns the metadata DB connection); every source is read
independently, so one that fails (store unreachable, broker down) is reported on the page
instead of failing the whole page.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

COMPONENT_JOBS = {
    "SchedulerJob": "scheduler",
    "DagProcessorJob": "dag-processor",
    "TriggererJob": "triggerer",
}


@dataclass(frozen=True)
class BundleVersion:
    version: str
    built_at: str
    git_commit: str
    dag_files: int
    current: bool
    # What deploying it changed (its manifest's plan lines; empty for versions without one).
    plan: list[str] = field(default_factory=list)
    # The preview it is the current version of (./hangar deploy --preview NAME), if one.
    preview: str | None = None


@dataclass(frozen=True)
class BundleStatus:
    name: str
    kind: str
    last_refreshed: str | None  # when the dag-processor last refreshed it (Airflow's record)
    parsed_version: str | None  # the version the dag-processor last parsed
    versions: list[BundleVersion] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ComponentStatus:
    component: str
    hostname: str
    state: str
    last_heartbeat: str | None


@dataclass(frozen=True)
class ImportErrorStatus:
    filename: str
    bundle: str
    timestamp: str | None
    message: str


@dataclass(frozen=True)
class PolicyViolationStatus:
    """One DAG loaded despite breaking Hangar's DAG rules (``HANGAR_DAG_POLICY=warn``)."""

    dag_id: str
    clauses: list[str]
    message: str  # the one line: DAG 'x': clause; clause


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    ok: bool


# The key figures of the Hangar page: (label, PromQL). Names: hangar_common/platform/metrics.py.
KEY_FIGURES = (
    ("Tasks succeeded, last hour", 'sum(increase(airflow_ti_finish_total{state="success"}[1h]))'),
    ("Tasks failed, last hour", 'sum(increase(airflow_ti_finish_total{state="failed"}[1h]))'),
    ("Scheduler heartbeats, last minute", "sum(increase(airflow_scheduler_heartbeat_total[1m]))"),
    ("Tasks queued now", "sum(airflow_executor_queued_tasks)"),
)


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str


@dataclass(frozen=True)
class MetricsStatus:
    prometheus_url: str
    figures: list[KeyFigure] = field(default_factory=list)
    firing: list[str] = field(default_factory=list)  # alert names
    error: str | None = None


def metrics_status(prometheus_url: str, timeout: float = 2.0) -> MetricsStatus:
    """The key figures and firing alerts from Prometheus (the stack's, --with-metrics)."""
    import requests

    api = f"{prometheus_url.rstrip('/')}/api/v1"
    try:
        figures = []
        for label, query in KEY_FIGURES:
            result = requests.get(f"{api}/query", params={"query": query}, timeout=timeout)
            result.raise_for_status()
            rows = result.json()["data"]["result"]
            figures.append(KeyFigure(label, f"{float(rows[0]['value'][1]):.0f}" if rows else "-"))
        alerts = requests.get(f"{api}/alerts", timeout=timeout).json()["data"]["alerts"]
    except (requests.RequestException, ValueError, KeyError) as exc:
        return MetricsStatus(prometheus_url, error=f"{type(exc).__name__}: {exc}")
    firing = sorted({a["labels"]["alertname"] for a in alerts if a.get("state") == "firing"})
    return MetricsStatus(prometheus_url, figures=figures, firing=firing)


@dataclass(frozen=True)
class PlatformStatus:
    generated_at: str
    executor: str
    bundles: list[BundleStatus]
    components: list[ComponentStatus]
    import_errors: list[ImportErrorStatus]
    workers: list[WorkerStatus]
    workers_error: str | None = None
    # The auth manager's class name; SimpleAuthManager is for development only.
    auth_manager: str = ""
    metrics: MetricsStatus | None = None  # None: the stack runs without --with-metrics
    dag_policy: str = "enforce"  # HANGAR_DAG_POLICY
    policy_violations: list[PolicyViolationStatus] = field(default_factory=list)

    @property
    def development_auth(self) -> bool:
        return self.auth_manager == "SimpleAuthManager"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _shown(manifest: Any, *, current: bool, preview: str | None = None) -> BundleVersion:
    return BundleVersion(
        version=manifest.version,
        built_at=manifest.built_at,
        git_commit=manifest.git_commit,
        dag_files=len(manifest.dag_files),
        current=current,
        plan=list((manifest.plan or {}).get("lines") or []),
        preview=preview,
    )


def _bundle_versions(bundle: Any) -> list[BundleVersion]:
    if hasattr(bundle, "deploys_store"):  # the previews bundle: each preview's current version
        from hangar_common.bundles.previews import describe

        described = describe(bundle.deploys_store())
        return [_shown(manifest, current=True, preview=name) for name, _, manifest in described]
    store_of = getattr(bundle, "store", None)
    if store_of is None:
        return []  # not a versioned bundle (a local folder): no versions to list
    store = store_of()
    pointer = store.current()
    current = pointer.version if pointer else None
    return [
        _shown(manifest, current=manifest.version == current)
        for manifest in reversed(store.versions())  # newest first
    ]


def bundle_statuses(session: Any) -> list[BundleStatus]:
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.models.dagbundle import DagBundleModel

    recorded = {row.name: row for row in session.query(DagBundleModel).all()}
    statuses = []
    for bundle in DagBundlesManager().get_all_dag_bundles():
        row = recorded.get(bundle.name)
        common: dict[str, Any] = {
            "name": bundle.name,
            "kind": type(bundle).__name__,
            "last_refreshed": _iso(row.last_refreshed) if row else None,
            "parsed_version": row.version if row else None,
        }
        try:
            statuses.append(BundleStatus(**common, versions=_bundle_versions(bundle)))
        except Exception as exc:  # the store is unreachable: say so, show the rest
            log.warning("Hangar page: bundle %s versions unavailable: %s", bundle.name, exc)
            statuses.append(BundleStatus(**common, error=f"{type(exc).__name__}: {exc}"))
    return statuses


def component_statuses(session: Any) -> list[ComponentStatus]:
    from airflow.jobs.job import Job, JobState

    rows = (
        session.query(Job)
        .filter(Job.job_type.in_(COMPONENT_JOBS), Job.state == JobState.RUNNING)
        .order_by(Job.job_type, Job.hostname, Job.latest_heartbeat.desc())
        .all()
    )
    latest: dict[tuple[str, str], ComponentStatus] = {}
    for job in rows:
        key = (job.job_type or "", job.hostname or "")
        if key not in latest:
            latest[key] = ComponentStatus(
                component=COMPONENT_JOBS.get(job.job_type or "", job.job_type or "?"),
                hostname=job.hostname or "?",
                state=str(job.state),
                last_heartbeat=_iso(job.latest_heartbeat),
            )
    return sorted(latest.values(), key=lambda c: (c.component, c.hostname))


def _last_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[-1].strip() if lines else ""


def import_error_statuses(session: Any) -> list[ImportErrorStatus]:
    from airflow.models.errors import ParseImportError

    rows = session.query(ParseImportError).order_by(ParseImportError.filename).all()
    return [
        ImportErrorStatus(
            filename=row.filename or "?",
            bundle=row.bundle_name or "?",
            timestamp=_iso(row.timestamp),
            message=_last_line(row.stacktrace),
        )
        for row in rows
    ]


def policy_violation_statuses(session: Any) -> list[PolicyViolationStatus]:
    """Each loaded DAG's recorded violations, one per DAG (:mod:`hangar_plugins.policy_record`).

    In enforce mode nothing is recorded (rule breakers are import errors) and records left from
    a warn period are not current: none are listed.
    """
    from airflow.models.dag import DagModel
    from airflow.models.variable import Variable

    from hangar_common.settings import current
    from hangar_plugins.policy_record import VARIABLE_PREFIX, current_violations

    if current("dag_policy") != "warn":
        return []
    rows = session.query(Variable).filter(Variable.key.startswith(VARIABLE_PREFIX)).all()
    active = {
        dag_id for (dag_id,) in session.query(DagModel.dag_id).filter(DagModel.is_stale.is_(False))
    }
    records = {row.key: row.val for row in rows}
    return [
        PolicyViolationStatus(dag_id=v.dag_id, clauses=v.clauses, message=v.message)
        for v in current_violations(records, active)
    ]


def celery_workers(timeout: float = 1.0) -> list[WorkerStatus]:
    """Workers answering a Celery ping now (what Flower's dashboard shows as online)."""
    from airflow.providers.celery.executors.celery_executor_utils import app

    replies = app.control.ping(timeout=timeout) or []
    names = {name: "ok" in answer for reply in replies for name, answer in reply.items()}
    return [WorkerStatus(name=name, ok=ok) for name, ok in sorted(names.items())]


def collect(session: Any) -> PlatformStatus:

    from airflow.configuration import conf

    from hangar_common.settings import current

    executor = conf.get("core", "executor")
    auth_manager = conf.get("core", "auth_manager").rsplit(".", 1)[-1]
    prometheus_url = conf.get("hangar", "prometheus_url", fallback="")
    workers: list[WorkerStatus] = []
    workers_error = None
    if "Celery" in executor:
        try:
            workers = celery_workers()
        except Exception as exc:
            workers_error = f"{type(exc).__name__}: {exc}"
    return PlatformStatus(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        executor=executor,
        bundles=bundle_statuses(session),
        components=component_statuses(session),
        import_errors=import_error_statuses(session),
        workers=workers,
        workers_error=workers_error,
        auth_manager=auth_manager,
        metrics=metrics_status(prometheus_url) if prometheus_url else None,
        dag_policy=str(current("dag_policy")),
        policy_violations=policy_violation_statuses(session),
    )
