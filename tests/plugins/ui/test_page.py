from __future__ import annotations

from hangar_plugins.ui.page import render
from hangar_plugins.ui.status import (
    BundleStatus,
    BundleVersion,
    ComponentStatus,
    ImportErrorStatus,
    KeyFigure,
    MetricsStatus,
    PlatformStatus,
    WorkerStatus,
    metrics_status,
)


def _status(**overrides: object) -> PlatformStatus:
    values: dict[str, object] = {
        "generated_at": "2026-11-21T12:00:00+00:00",
        "executor": "CeleryExecutor",
        "bundles": [
            BundleStatus(
                name="hangar",
                kind="VersionedStoreDagBundle",
                last_refreshed="2026-11-21T11:59:58+00:00",
                parsed_version="b" * 64,
                versions=[
                    BundleVersion(
                        "b" * 64,
                        "2026-11-21T11:00:00",
                        "abc1234def567",
                        3,
                        True,
                        plan=[
                            "DAG ingest_<x>:",
                            "  schedule: '0 2 * * *' -> '0 3 * * *'",
                            *[f"  + task t{n} (EmptyOperator)" for n in range(9)],
                        ],
                    ),
                    BundleVersion("a" * 64, "2026-11-20T11:00:00", "0000000aaaaa", 2, False),
                ],
            )
        ],
        "components": [ComponentStatus("scheduler", "host-1", "running", "2026-11-21T11:59:59")],
        "import_errors": [
            ImportErrorStatus("dags/<bad>.py", "hangar", None, "ValueError: <script>")
        ],
        "workers": [WorkerStatus("worker-1@host-1", True)],
    }
    values.update(overrides)
    return PlatformStatus(**values)  # type: ignore[arg-type]


def test_page_marks_the_current_version_and_lists_every_section() -> None:
    html = render(_status())
    assert '<span class="current">current</span></td><td><code>bbbbbbbbbbbbbbbb</code>' in html
    assert "<code>aaaaaaaaaaaaaaaa</code>" in html
    assert "Last refreshed by the dag-processor: 2026-11-21T11:59:58+00:00" in html
    assert "<td>scheduler</td><td>host-1</td><td>running</td>" in html
    assert "Workers online (1)" in html and "worker-1@host-1" in html
    assert "DAG import errors (1)" in html


def test_each_version_shows_what_its_deploy_changed_cut_when_long() -> None:
    html = render(_status())
    assert "<code>DAG ingest_&lt;x&gt;:</code><br><code>schedule: &#39;0 2 * * *&#39; -&gt;" in html
    assert "<code>+ task t5 (EmptyOperator)</code>" in html
    assert "t6 (EmptyOperator)" not in html  # 8 lines shown of 11
    assert "3 more: ./hangar versions --diff" in html
    assert html.count("<td>-</td>") >= 1  # the older version was published without a plan


def test_every_value_is_escaped() -> None:
    html = render(_status())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "dags/&lt;bad&gt;.py" in html


def test_local_executor_and_unreachable_sources_are_said_plainly() -> None:
    local = render(_status(executor="LocalExecutor", workers=[], import_errors=[]))
    assert "LocalExecutor: tasks run on the scheduler host, no Celery workers." in local
    assert "None: every DAG file parses." in local
    broken = render(
        _status(
            workers=[],
            workers_error="OperationalError: broker down",
            bundles=[BundleStatus("hangar", "VersionedStoreDagBundle", None, None, [], "E: x")],
        )
    )
    assert "Celery did not answer: OperationalError: broker down" in broken
    assert "Bundle store unavailable: E: x" in broken
    assert "Last refreshed by the dag-processor: never" in broken


def test_development_auth_is_said_and_production_auth_is_not_warned_about() -> None:
    simple = render(_status(auth_manager="SimpleAuthManager"))
    assert "auth SimpleAuthManager" in simple and "Development login" in simple
    fab = render(_status(auth_manager="FabAuthManager"))
    assert "auth FabAuthManager" in fab and "Development login" not in fab


def test_key_figures_and_firing_alerts_come_from_prometheus() -> None:
    metrics = MetricsStatus(
        "http://127.0.0.1:9090",
        figures=[KeyFigure("Tasks succeeded, last hour", "42")],
        firing=["AirflowSchedulerHeartbeatStale"],
    )
    page = render(_status(metrics=metrics))
    assert "<td>Tasks succeeded, last hour</td><td>42</td>" in page
    assert "Alerts firing: AirflowSchedulerHeartbeatStale" in page
    down = render(_status(metrics=MetricsStatus("http://x", error="ConnectionError: refused")))
    assert "Prometheus did not answer: ConnectionError: refused" in down
    assert "Key figures" not in render(_status())  # no --with-metrics: no section


def test_an_unreachable_prometheus_is_reported_not_raised() -> None:
    # Port 9 (discard) has no server here: the page must render without Prometheus.
    status = metrics_status("http://127.0.0.1:9", timeout=0.5)
    assert status.error is not None and status.figures == []


def test_warn_mode_lists_each_dag_breaking_the_rules_once() -> None:
    from hangar_plugins.ui.status import PolicyViolationStatus

    violation = PolicyViolationStatus(
        dag_id="legacy<x>",
        clauses=["no tags: add tags=[...] (team, domain)", "2 tasks have no owner (a, b): ..."],
        message="unused",
    )
    html = render(_status(dag_policy="warn", policy_violations=[violation]))
    assert "DAGs breaking the DAG rules (1)" in html
    assert "<td><code>legacy&lt;x&gt;</code></td>" in html
    assert "no tags: add tags=[...] (team, domain); 2 tasks have no owner (a, b): ..." in html
    assert "every loaded DAG follows the rules" in render(_status(dag_policy="warn"))
    # Enforce mode: rule breakers are import errors; no such section.
    assert "DAGs breaking the DAG rules" not in render(_status(policy_violations=[violation]))


def test_each_preview_shows_its_current_version_by_name() -> None:
    previews = BundleStatus(
        name="hangar-previews",
        kind="PreviewsDagBundle",
        last_refreshed="2026-12-07T16:10:48+00:00",
        parsed_version=None,
        versions=[
            BundleVersion(
                "c" * 64, "2026-12-07T16:09:13", "0f717f59893b", 12, True, preview="feat_x"
            )
        ],
    )
    html = render(_status(bundles=[*_status().bundles, previews]))
    assert "<td>preview feat_x</td><td><code>cccccccccccccccc</code>" in html
