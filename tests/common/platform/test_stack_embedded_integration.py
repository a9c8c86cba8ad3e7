"""`./hangar up` on the embedded stack: healthy API, a DAG run to success, nothing left behind.

The stack serves the platform suites' own DAGs (tests/support/platform_dags), not the library's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from hangar_common.platform.api_client import AirflowApi
from tests.support.browser import chromium_page, open_logged_in
from tests.support.fixture_dags import SMOKE_DAG, served
from tests.support.hangar_stack import ADMIN_PASSWORD, api_url, hangar, processes_of, stack_env

POLICY_PROBE = (
    "from airflow.settings import get_policy_plugin_manager as m\n"
    "print(*[i.function.__module__ for i in m().hook.dag_policy.get_hookimpls()])"
)


def test_embedded_stack_runs_a_dag_and_stops_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = stack_env(state, **served())
    up = hangar(env, "up", "--timeout", "300")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        url = api_url(env)
        assert f"UI and REST API: {url}" in up.stdout
        assert "login: admin / the password in HANGAR_ADMIN_PASSWORD" in up.stdout
        assert ADMIN_PASSWORD not in up.stdout + up.stderr

        health = requests.get(f"{url}/api/v2/monitor/health", timeout=10).json()
        for component in ("metadatabase", "scheduler", "dag_processor", "triggerer"):
            assert health[component]["status"] == "healthy", health
        # The API needs auth.
        assert requests.get(f"{url}/api/v2/dags", timeout=10).status_code == 401

        api = AirflowApi(url, "admin", ADMIN_PASSWORD)
        api.wait_for_dag(SMOKE_DAG)
        api.unpause(SMOKE_DAG)
        run_id = api.trigger(SMOKE_DAG, {"total": 10_000, "chunks": 4})
        assert api.wait_for_run(SMOKE_DAG, run_id) == "success"
        instances = api.task_instances(SMOKE_DAG, run_id)
        assert sorted((ti["task_id"], ti["state"]) for ti in instances) == sorted(
            [("plan", "success"), ("verify", "success")] + [("sum_chunk", "success")] * 4
        )

        _screenshot_dag_list(url, api.token, tmp_path)

        # init put config/environment.yaml into Airflow: pool size, connections, variables.
        assert api.get("pools/default_pool")["slots"] == 16
        warehouse = api.get("connections/warehouse")
        assert (warehouse["conn_type"], warehouse["schema"]) == (
            "postgres",
            env["HANGAR_WAREHOUSE_DB"],
        )
        assert api.get("connections/slack")["conn_type"] == "slack"
        assert api.get("variables/dag_number")["value"] == "10"
        # Re-running init changes nothing and keeps what operators changed.
        api.session.patch(
            f"{url}/api/v2/variables/dag_number", json={"key": "dag_number", "value": "3"}
        ).raise_for_status()
        again_init = hangar(env, "init")
        assert again_init.returncode == 0, again_init.stderr
        assert "created:" not in again_init.stdout and "updated:" not in again_init.stdout
        assert "unchanged: pool default_pool, connection warehouse" in again_init.stdout
        assert api.get("variables/dag_number")["value"] == "3"
        secrets = (state / "secrets.env").read_text()
        assert (state / "secrets.env").stat().st_mode & 0o077 == 0
        assert secrets.count("HANGAR_FERNET_KEY=") == 1

        again = hangar(env, "up")
        assert again.returncode == 0
        assert "already up" in again.stdout
        status = hangar(env, "status")
        assert status.returncode == 0, status.stdout
        for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
            assert any(
                line.split()[:2] == [component, "RUNNING"] for line in status.stdout.splitlines()
            ), status.stdout
        # The embedded stack keeps SimpleAuthManager, and says so.
        auth = next(line for line in status.stdout.splitlines() if line.startswith("auth "))
        assert auth.split()[1] == "SIMPLE" and "development only" in auth
        users = hangar(env, "users", "list")
        assert users.returncode == 2
        assert "uses SimpleAuthManager (development only)" in users.stderr
    finally:
        down = hangar(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes_of(state) == []
    stopped = hangar(env, "status")
    assert stopped.returncode == 1
    assert "STOPPED" in stopped.stdout
    # Every Airflow process of the stack registers Hangar's cluster policy.
    probe = subprocess.run(
        [sys.executable, "-m", "hangar_common.platform.entrypoint", "python", "-c", POLICY_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert "hangar_plugins.policies" in probe.stdout.split()
    # Every log stayed inside the one state folder (the metadata DB is PostgreSQL's).
    assert not (state / "airflow" / "airflow.db").exists()
    assert (state / "logs" / "scheduler.log").is_file()


def test_bad_configuration_names_the_setting(tmp_path: Path) -> None:
    env = stack_env(tmp_path / "state", HANGAR_PARALLELISM="0")
    up = hangar(env, "up", "--timeout", "30")
    assert up.returncode == 2
    assert "HANGAR_PARALLELISM=0" in up.stderr
    assert processes_of(tmp_path / "state") == []


def _screenshot_dag_list(url: str, token: str, tmp_path: Path) -> None:
    """The UI's DAG list, logged in, as a person sees it (the README's picture of the library's
    list is taken by tests/dags/test_library_on_embedded_platform_integration.py)."""
    with chromium_page() as page:
        open_logged_in(page, url, token, "/dags")
        text = page.wait_for_text(SMOKE_DAG)
        assert "Sign in" not in text and "Login" not in text
        target = tmp_path / "ui-dag-list.png"
        page.screenshot(target)
    png = target.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_environment_file_needing_an_unset_secret_fails_before_anything_starts(
    tmp_path: Path,
) -> None:
    config = tmp_path / "environment.yaml"
    config.write_text(
        "connections:\n  db:\n    conn_type: postgres\n    password: ${HANGAR_TEST_DB_PASSWORD}\n"
    )
    env = stack_env(tmp_path / "state", HANGAR_ENVIRONMENT_FILE=str(config))
    up = hangar(env, "up", "--timeout", "30")
    assert up.returncode == 2
    assert "connections.db.password needs HANGAR_TEST_DB_PASSWORD" in up.stderr
    assert processes_of(tmp_path / "state") == []
    assert not (tmp_path / "state" / "airflow" / "airflow.db").exists()
