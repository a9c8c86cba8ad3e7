from __future__ import annotations

from pathlib import Path

import pytest

from hangar_common.platform.config import load_platform_config
from hangar_common.platform.processes import programs


def test_embedded_stack_runs_the_four_core_components(tmp_path: Path) -> None:
    config = load_platform_config({}, project_root=tmp_path)
    names = [p.name for p in programs(config, workers=3, worker_log_port_base=9000)]
    assert names == ["api-server", "scheduler", "dag-processor", "triggerer"]


def test_celery_workers_get_own_names_and_log_ports(tmp_path: Path) -> None:
    config = load_platform_config({}, project_root=tmp_path, stack="celery")
    procs = {p.name: p for p in programs(config, workers=3, worker_log_port_base=9000)}
    assert list(procs) == [
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
        "worker-1",
        "worker-2",
        "worker-3",
        "flower",
    ]
    ports = [procs[f"worker-{i}"].environment["HANGAR_WORKER_LOG_SERVER_PORT"] for i in (1, 2, 3)]
    assert ports == ["9000", "9001", "9002"]
    assert "worker-2@%h" in procs["worker-2"].command
    assert procs["worker-3"].environment["HANGAR_WORKER_NAME"] == "worker-3"
    with pytest.raises(ValueError, match="--workers"):
        programs(config, workers=0, worker_log_port_base=9000)


def test_celery_stack_runs_extra_schedulers_when_asked(tmp_path: Path) -> None:
    config = load_platform_config({"HANGAR_SCHEDULERS": "2"}, project_root=tmp_path, stack="celery")
    procs = {p.name: p for p in programs(config, workers=1, worker_log_port_base=9000)}
    assert [name for name in procs if name.startswith("scheduler")] == [
        "scheduler",
        "scheduler-2",
    ]
    assert procs["scheduler-2"].command[-1] == "scheduler"
    # The embedded stack's LocalExecutor runs one scheduler.
    embedded = load_platform_config({"HANGAR_SCHEDULERS": "2"}, project_root=tmp_path)
    names = [p.name for p in programs(embedded, workers=1, worker_log_port_base=9000)]
    assert names.count("scheduler") == 1 and "scheduler-2" not in names
