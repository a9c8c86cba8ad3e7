"""The deploy benchmark's artifact, summary and table (no stack started)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from benchmarks.deploy_benchmark import artifact, bundle_files, probe_file, summarize, table


def test_each_deploy_ships_the_benchmark_dags_and_one_more_probe_dag() -> None:
    files = bundle_files()
    assert "benchmark_dags.py" in files
    assert not [name for name in files if "__pycache__" in name or "hangar_dags" in name]
    name, source = probe_file(3)
    assert name == "deploy_probe_3.py" and b'dag_id="deploy_probe_3"' in source
    compile(source, name, "exec")  # a valid DAG file
    with zipfile.ZipFile(io.BytesIO(artifact({**files, name: source}))) as archive:
        assert set(archive.namelist()) == {*files, name}
    # Same files, same bytes: the store would see the same version.
    assert artifact(files) == artifact(dict(files))


def _round(side: str, latencies: list[float], idle: float) -> dict[str, Any]:
    return {
        "side": side,
        "refresh_interval_s": 5.0 if side == "hangar" else 300.0,
        "idle_window_s": 60.0,
        "idle_requests_per_s": idle,
        "deploy_to_visible_s": latencies,
    }


def test_latencies_pool_over_rounds_and_the_table_gives_ratios() -> None:
    summary = summarize(
        [
            _round("hangar", [2.0, 4.0, 6.0], 0.2),
            _round("stock", [100.0, 200.0], 0.01),
            _round("hangar", [8.0], 0.4),
        ]
    )
    assert summary["hangar"]["deploys"] == 4
    assert summary["hangar"]["visible_p50_s"] == 5.0
    assert summary["hangar"]["visible_p95_s"] == 8.0
    assert abs(summary["hangar"]["idle_requests_per_s"] - 0.3) < 1e-9
    lines = table(summary).splitlines()
    p50 = next(line for line in lines if line.startswith("deploy -> visible p50"))
    assert p50.split()[-3:] == ["5.0", "150.0", "0.03"]
