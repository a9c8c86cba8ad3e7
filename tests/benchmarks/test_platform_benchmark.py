"""The platform benchmark's summary and table, from recorded rounds (no stack started)."""

from __future__ import annotations

from typing import Any

from benchmarks.platform_benchmark import summarize, table


def _round(side: str, tasks_per_s: float, chains: list[float]) -> dict[str, Any]:
    return {
        "side": side,
        "tasks_per_s": tasks_per_s,
        "cpu_busy_share": 0.9,
        "cpu_s_per_task": 0.3,
        "chain_s": chains,
        "gap_s": [c / 4 for c in chains],
        "idle_pss_mib": 1000.0,
        "idle_cpu_share": 0.05,
        "load_peak_pss_mib": 1200.0 if side == "hangar" else 1500.0,
        "startup_s": 30.0,
    }


def test_throughput_is_averaged_over_rounds_and_latency_pooled_over_chains() -> None:
    rounds = [
        _round("hangar", 6.0, [1.0, 2.0, 3.0]),
        _round("stock", 3.0, [4.0, 5.0]),
        _round("hangar", 8.0, [4.0, 5.0]),
        _round("stock", 5.0, [6.0, 7.0, 8.0]),
    ]
    summary = summarize(rounds)
    assert summary["hangar"]["tasks_per_s"] == 7.0
    assert summary["stock"]["tasks_per_s"] == 4.0
    assert summary["hangar"]["chain_p50_s"] == 3.0
    assert summary["stock"]["chain_p95_s"] == 8.0
    assert summary["hangar"]["load_peak_pss_mib"] == 1200.0


def test_the_table_gives_each_figure_for_both_sides_and_their_ratio() -> None:
    summary = summarize([_round("hangar", 6.0, [1.0]), _round("stock", 3.0, [2.0])])
    lines = table(summary).splitlines()
    throughput = next(line for line in lines if line.startswith("throughput"))
    assert throughput.split()[-3:] == ["6.00", "3.00", "2.00"]
    chain = next(line for line in lines if line.startswith("3-task chain p50"))
    assert chain.split()[-1] == "0.50"


def test_one_side_only_leaves_the_ratio_out() -> None:
    lines = table(summarize([_round("stock", 3.0, [2.0])])).splitlines()
    throughput = next(line for line in lines if line.startswith("throughput"))
    assert throughput.split()[-3:] == ["-", "3.00", "-"]
