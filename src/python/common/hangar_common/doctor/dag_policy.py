"""``./hangar doctor`` in warn mode (``HANGAR_DAG_POLICY=warn``): the DAGs that break the rules.

Listed one line per DAG, as the Hangar page lists them (its ``/hangar/status.json``, read with
the admin login from the running stack): what the dag-processor recorded for each loaded DAG.
In enforce mode there is nothing to list here (rule breakers are import errors) and doctor adds
no row. Rows are warnings: they do not fail doctor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hangar_common.doctor.result import CheckResult
from hangar_common.settings import HangarSettings, env_name

NAME = "dag-policy"
SETTING = env_name("dag_policy")
STATUS_PATH = "/hangar/status.json"


def violation_rows(violations: Sequence[Mapping[str, Any]]) -> list[CheckResult]:
    """A summary row, then one row per DAG: ``DAG <id>  WARN  clause; clause``."""
    count = len(violations)
    summary = CheckResult(
        name=NAME,
        ok=True,
        warning=bool(count),
        detail=(
            f"{SETTING}=warn: {count} loaded DAG{'s' if count != 1 else ''} "
            f"break{'s' if count == 1 else ''} the DAG rules"
            + (" (below); a deploy in enforce mode refuses them" if count else "")
        ),
    )
    rows = [
        CheckResult(
            name=f"DAG {item['dag_id']}",
            ok=True,
            warning=True,
            detail="; ".join(str(clause) for clause in item.get("clauses", [])),
        )
        for item in sorted(violations, key=lambda item: str(item["dag_id"]))
    ]
    return [summary, *rows]


def read_status(project_root: Path, env: Mapping[str, str]) -> dict[str, Any] | None:
    """The running stack's Hangar page status; None when no stack of this checkout runs."""
    from hangar_common.platform.api_client import AirflowApi
    from hangar_common.platform.stack import StackManager
    from hangar_common.settings import Stack

    manager = StackManager(project_root, dict(env))
    running = manager.running_stack()
    if running is None:
        return None
    api_url = str(running.get("api_url", "")) or manager.config(Stack.EMBEDDED).api_url
    api = AirflowApi(api_url, "admin", manager.admin_password())
    response = api.session.get(f"{api.base_url}{STATUS_PATH}", timeout=30)
    response.raise_for_status()
    status: dict[str, Any] = response.json()
    return status


def dag_policy_results(
    project_root: Path,
    settings: HangarSettings,
    env: Mapping[str, str],
    *,
    status_of: Callable[[Path, Mapping[str, str]], dict[str, Any] | None] = read_status,
) -> list[CheckResult]:
    if settings.dag_policy != "warn":
        return []
    try:
        status = status_of(project_root, env)
    except Exception as exc:  # noqa: BLE001 - reported as the row's detail
        return [
            CheckResult(
                name=NAME,
                ok=True,
                warning=True,
                detail=f"{SETTING}=warn; the platform's Hangar page did not answer: {exc}",
            )
        ]
    if status is None:
        return [
            CheckResult(
                name=NAME,
                ok=True,
                detail=f"{SETTING}=warn; the platform is not running (`./hangar up`, then doctor "
                "lists the DAGs that break the rules)",
            )
        ]
    return violation_rows(status.get("policy_violations", []))
