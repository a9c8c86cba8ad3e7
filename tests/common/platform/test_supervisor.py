from __future__ import annotations

import configparser
from pathlib import Path

from hangar_common.platform.config import StatePaths
from hangar_common.platform.processes import Program
from hangar_common.platform.supervisor import render_config


def test_config_restarts_rotates_and_kills_process_groups(tmp_path: Path) -> None:
    paths = StatePaths(root=tmp_path)
    text = render_config(
        paths,
        [
            Program(name="scheduler", command=("python", "-m", "x", "scheduler")),
            Program(name="postgres", command=("postgres",), stop_signal="INT"),
            Program(
                name="worker-1",
                command=("python", "worker", "--celery-hostname", "worker-1@%h"),
                environment={"HANGAR_WORKER_NAME": "worker-1"},
            ),
        ],
        stack_id="abc",
    )
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    worker = parser["program:worker-1"]
    assert worker["autorestart"] == "true"
    assert worker["stopasgroup"] == worker["killasgroup"] == "true"
    assert worker["stdout_logfile"] == str(tmp_path / "logs" / "worker-1.log")
    assert worker["stdout_logfile_backups"] == "5"
    assert worker["command"].endswith("worker-1@%%h")  # supervisor un-escapes %% to %
    assert worker["environment"] == 'HANGAR_WORKER_NAME="worker-1"'
    assert worker["stopsignal"] == "TERM"
    # PostgreSQL's fast shutdown: TERM would wait for every client to leave.
    assert parser["program:postgres"]["stopsignal"] == "INT"
    assert parser["unix_http_server"]["chmod"] == "0700"
    assert 'HANGAR_STACK_ID="abc"' in parser["supervisord"]["environment"]


def test_config_never_contains_secrets(tmp_path: Path) -> None:
    text = render_config(
        StatePaths(root=tmp_path),
        [Program(name="api-server", command=("python", "api"))],
        stack_id="x",
    )
    for word in ("PASSWORD", "FERNET", "SECRET", "postgresql://"):
        assert word not in text
