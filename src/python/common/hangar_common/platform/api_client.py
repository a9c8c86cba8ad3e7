"""A small client of Airflow's REST API v2: JWT login, trigger, wait, inspect.

Airflow 3 ships no Python client in its core distribution; apache-airflow-client (the official,
generated one) is in the lockfile, but these few calls over ``requests`` are all Hangar's CLI,
maintenance DAGs and tests need (see the closing note of the architecture issue for the figures).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from hangar_common.waiting import poll_until

FINAL_RUN_STATES = ("success", "failed")


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        response = requests.post(
            f"{self.base_url}/auth/token",
            json={"username": username, "password": password},
            timeout=30,
        )
        response.raise_for_status()
        self.token: str = response.json()["access_token"]
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(f"{self.base_url}/api/v2/{path}", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def get_or_none(self, path: str, **params: Any) -> dict[str, Any] | None:
        """``GET /api/v2/<path>``; None when it does not exist (HTTP 404)."""
        response = self.session.get(f"{self.base_url}/api/v2/{path}", params=params, timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def send(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> None:
        """``POST``/``PATCH``/``PUT`` a resource (``body``: its JSON, if any); an error response
        raises naming the call and reason."""
        url = f"{self.base_url}/api/v2/{path}"
        response = self.session.request(method, url, json=body, params=params, timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(
                f"{method} {path} failed: HTTP {response.status_code} {response.text[:500]}"
            )

    def unpause(self, dag_id: str) -> None:
        response = self.session.patch(
            f"{self.base_url}/api/v2/dags/{dag_id}", json={"is_paused": False}, timeout=30
        )
        response.raise_for_status()

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        poll_until(
            lambda: self.get_or_none(f"dags/{dag_id}"),
            timeout=timeout,
            interval=2,
            describe=lambda: f"DAG {dag_id} not visible",
        )

    def trigger(
        self, dag_id: str, conf: dict[str, Any] | None = None, *, logical_date: str | None = None
    ) -> str:
        """Start a run (``logical_date``: ISO 8601, for an interval of the past; None: a run
        without a logical date, due now: interval pipelines take the latest complete interval)."""
        response = self.session.post(
            f"{self.base_url}/api/v2/dags/{dag_id}/dagRuns",
            json={"logical_date": logical_date, "conf": conf or {}},
            timeout=30,
        )
        response.raise_for_status()
        run_id: str = response.json()["dag_run_id"]
        return run_id

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")
        return result

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 300) -> str:
        """The run's final state. An API server that does not answer for a while (restarting,
        or slow to answer its first requests after a restart) counts as "not yet": the run goes
        on without it, and ``timeout`` still bounds the wait."""

        def final_state() -> str | None:
            state = str(self.run(dag_id, run_id)["state"])
            return state if state in FINAL_RUN_STATES else None

        return poll_until(
            final_state,
            timeout=timeout,
            interval=2,
            retry_on=(requests.ConnectionError, requests.Timeout),
            describe=lambda: f"run {run_id} of {dag_id} not finished",
        )

    def clear_run(
        self,
        dag_id: str,
        run_id: str,
        *,
        dry_run: bool = False,
        only_failed: bool = True,
        run_on_latest_version: bool | None = None,
    ) -> list[str]:
        """Clear a run's (failed) task instances so they run again; the task ids cleared.

        ``run_on_latest_version``: True re-runs them on the DAG's latest bundle version (the code
        deployed now), False on the version the run was created with; None leaves it to the DAG's
        ``rerun_with_latest_version``, then ``[core] rerun_with_latest_version`` (default False).
        """
        url = f"{self.base_url}/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/clear"
        extra: dict[str, Any] = {"only_failed": only_failed}
        if run_on_latest_version is not None:
            extra["run_on_latest_version"] = run_on_latest_version
        # Only a dry run answers with the task instances; a real clear answers with the DAG run.
        # So the list comes from a dry run first (what the clear then resets).
        response = self.session.post(url, json={"dry_run": True, **extra}, timeout=60)
        response.raise_for_status()
        listed = response.json()
        instances = listed.get("task_instances", []) if isinstance(listed, dict) else []
        task_ids = [str(ti["task_id"]) for ti in instances]
        if not dry_run:
            self.session.post(url, json={"dry_run": False, **extra}, timeout=60).raise_for_status()
        return task_ids

    def request_reparse(self, file_token: str) -> None:
        """Ask the dag-processor to parse a known DAG file now (the UI's "Reparse Dag"); it also
        refreshes that file's bundle first, whatever the bundle's refresh interval."""
        self.send("PUT", f"parseDagFile/{quote(file_token, safe='')}")

    def request_bundle_refresh(self, bundle_name: str) -> None:
        """Ask the dag-processor to refresh a bundle now (the Hangar plugin's endpoint: works
        before the bundle has any DAG, unlike :meth:`request_reparse`)."""
        response = self.session.post(
            f"{self.base_url}/hangar/bundles/{quote(bundle_name, safe='')}/refresh", timeout=30
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"POST hangar/bundles/{bundle_name}/refresh failed: HTTP "
                f"{response.status_code} {response.text[:200]}"
            )

    def delete_dag(self, dag_id: str) -> None:
        """Delete a DAG's metadata (its runs and task history too); gone already is fine."""
        response = self.session.delete(
            f"{self.base_url}/api/v2/dags/{quote(dag_id, safe='')}", timeout=60
        )
        if response.status_code >= 400 and response.status_code != 404:
            raise RuntimeError(
                f"DELETE dags/{dag_id} failed: HTTP {response.status_code} {response.text[:200]}"
            )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        result = self.get(
            f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances", limit=1000
        )
        instances: list[dict[str, Any]] = result["task_instances"]
        return instances
