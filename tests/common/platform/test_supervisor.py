from __future__ import annotations

import configparser
import os
import sys
import time
from pathlib import Path

from hangar_common.platform.config import StatePaths
from hangar_common.platform.processes import Program
from hangar_common.platform.supervisor import Supervisor, render_config, stop_waves


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


def test_a_stack_stops_clients_then_the_api_server_then_the_services() -> None:
    waves = stop_waves(
        {
            "object-store": True,
            "postgres": True,
            "api-server": False,
            "scheduler": False,
            "worker-1": False,
            "dag-processor": False,
        }
    )
    assert waves == [
        ["dag-processor", "scheduler", "worker-1"],
        ["api-server"],
        ["object-store", "postgres"],
    ]
    assert stop_waves({"object-store": True}) == [["object-store"]]


# On SIGTERM it records that, then waits (up to 8 s) for every program to have recorded it:
# stopped one after another, the first would wait alone and say so.
SLOW_TO_STOP = """
import pathlib, signal, sys, time
folder, name, names = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
def stop(*_):
    (folder / f"{name}.term").touch()
    deadline = time.monotonic() + 8
    while not all((folder / f"{n}.term").exists() for n in names):
        if time.monotonic() > deadline:
            (folder / f"{name}.alone").touch()
            break
        time.sleep(0.05)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
(folder / f"{name}.ready").touch()
while True:
    time.sleep(1)
"""


def test_stop_at_once_signals_every_program_before_waiting(tmp_path: Path) -> None:
    script = tmp_path / "slow_to_stop.py"
    script.write_text(SLOW_TO_STOP)
    names = ["a", "b", "c"]
    programs = [
        Program(
            name=name,
            command=(sys.executable, str(script), str(tmp_path), name, ",".join(names)),
            autostart=True,
            start_seconds=0,
        )
        for name in names
    ]
    paths = StatePaths(root=tmp_path / "state")
    supervisor = Supervisor(paths)
    supervisor.start(render_config(paths, programs, stack_id="t"), dict(os.environ))
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("*.ready"))) < len(names):  # their SIGTERM handlers are set
            assert time.monotonic() < deadline, supervisor.status()
            time.sleep(0.1)
        assert supervisor.autostarted() == {"a": True, "b": True, "c": True}
        supervisor.stop_at_once(names)
        assert {p.state for p in supervisor.status()} == {"STOPPED"}
        assert sorted(p.name for p in tmp_path.glob("*.term")) == ["a.term", "b.term", "c.term"]
        assert list(tmp_path.glob("*.alone")) == []
        supervisor.stop_at_once(names)  # stopping stopped programs is not an error
    finally:
        supervisor.shutdown()
    assert supervisor.pid() is None
