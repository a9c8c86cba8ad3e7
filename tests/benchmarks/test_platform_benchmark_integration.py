"""``benchmarks:platform --quick`` starts Hangar's Celery stack and stock Airflow for real and
measures both: the suite still runs end to end. Speed is not asserted (that is the suite's job,
not a test's); that every figure was measured, on both workers, is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.dags.benchmark_dags import CHAIN_LENGTH, FAN_OUT_TASKS
from benchmarks.platform_benchmark import main


def test_quick_mode_measures_both_sides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures_file = tmp_path / "figures.json"
    assert main(["--quick", "--json", str(figures_file)]) == 0
    out = capsys.readouterr().out
    document = json.loads(figures_file.read_text())
    assert json.loads(out.strip().splitlines()[-1]) == document
    rounds = {r["side"]: r for r in document["rounds"]}
    assert list(rounds) == ["hangar", "stock"]  # A then B
    for figures in rounds.values():
        assert figures["workers"] == ["worker-1", "worker-2"]
        assert figures["tasks"] == document["runs"] * FAN_OUT_TASKS
        assert figures["tasks_per_s"] > 0
        assert len(figures["chain_s"]) == document["chains"]
        assert len(figures["gap_s"]) == document["chains"] * (CHAIN_LENGTH - 1)
        assert all(0 < seconds < 120 for seconds in figures["chain_s"])
        assert figures["idle_pss_mib"] > 100
        assert 0 < figures["idle_cpu_share"] < 1 and 0 < figures["cpu_busy_share"] <= 1
        assert figures["cpu_s_per_task"] > 0
        assert figures["load_peak_pss_mib"] > 100
    assert "throughput, tasks/s" in out
