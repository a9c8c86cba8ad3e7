"""Hangar's Celery stack against stock Airflow, measured in the same run, alternating A B A B.

Each round starts one side (fresh metadata DB), warms it up until both workers ran tasks, then:
idle memory (PSS of every process of the stack), throughput (RUNS fan-out runs of 10 trivial
tasks triggered at once; peak PSS meanwhile), latency (CHAINS 3-task chain runs one after
another: trigger → success, and the gap between two tasks), and stops it. Prints one table and
the figures as JSON (last line; ``--json FILE`` writes them too).

Usage: ./pants run benchmarks:platform -- [--quick] [--rounds N] [--runs N] [--chains N]
``--quick`` (1 round, 2 runs, 3 chains, a 5 s idle window) proves the suite still runs; its figures mean little.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.report import SIDES, chosen_sides, percentile, publish


def run_round(side_name: str, workdir: Path, dags: Path, broker: str, args: Any) -> dict[str, Any]:
    from benchmarks.stacks import HangarCelery, StockCelery
    from benchmarks.workloads import chain_latency, idle_cpu_share, prepare, throughput

    kind = HangarCelery if side_name == "hangar" else StockCelery
    side = kind(workdir=workdir, dags_folder=dags, broker_url=broker)
    started = time.monotonic()
    side.start()
    try:
        startup_s = time.monotonic() - started
        api = side.api()
        workers = prepare(side, api)
        time.sleep(args.settle)  # let the warm-up's aftermath settle before reading idle memory
        idle_mib = side.pss_bytes() / 2**20
        idle_cpu = idle_cpu_share(args.idle)
        load = throughput(api, runs=args.runs, pss_bytes=side.pss_bytes)
        chain = chain_latency(api, runs=args.chains)
    finally:
        side.stop()
    return {
        "side": side_name,
        "startup_s": startup_s,
        "workers": workers,
        "idle_pss_mib": idle_mib,
        "idle_cpu_share": idle_cpu,
        "load_peak_pss_mib": load.peak_pss_mib,
        "tasks": load.tasks,
        "throughput_s": load.seconds,
        "tasks_per_s": load.tasks_per_s,
        "cpu_busy_share": load.cpu_busy_share,
        "cpu_s_per_task": load.cpu_s_per_task,
        "chain_s": chain.trigger_to_success_s,
        "gap_s": chain.task_gaps_s,
    }


def summarize(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per side: mean throughput over its rounds; latency percentiles over all its chains."""
    summary = {}
    for side in SIDES:
        mine = [r for r in rounds if r["side"] == side]
        if not mine:
            continue
        chains = [s for r in mine for s in r["chain_s"]]
        gaps = [s for r in mine for s in r["gap_s"]]
        summary[side] = {
            "tasks_per_s": statistics.mean(r["tasks_per_s"] for r in mine),
            "cpu_busy_share": statistics.mean(r["cpu_busy_share"] for r in mine),
            "cpu_s_per_task": statistics.mean(r["cpu_s_per_task"] for r in mine),
            "chain_p50_s": statistics.median(chains),
            "chain_p95_s": percentile(chains, 0.95),
            "gap_p50_s": statistics.median(gaps),
            "gap_p95_s": percentile(gaps, 0.95),
            "idle_pss_mib": statistics.mean(r["idle_pss_mib"] for r in mine),
            "idle_cpu_share": statistics.mean(r["idle_cpu_share"] for r in mine),
            "load_peak_pss_mib": max(r["load_peak_pss_mib"] for r in mine),
            "startup_s": statistics.mean(r["startup_s"] for r in mine),
        }
    return summary


ROWS = (
    ("tasks_per_s", "throughput, tasks/s", "{:.2f}"),
    ("cpu_busy_share", "CPU busy under load, share", "{:.2f}"),
    ("cpu_s_per_task", "CPU seconds per task", "{:.3f}"),
    ("chain_p50_s", "3-task chain p50, s", "{:.2f}"),
    ("chain_p95_s", "3-task chain p95, s", "{:.2f}"),
    ("gap_p50_s", "gap between tasks p50, s", "{:.2f}"),
    ("gap_p95_s", "gap between tasks p95, s", "{:.2f}"),
    ("idle_pss_mib", "memory idle, PSS MiB", "{:.0f}"),
    ("idle_cpu_share", "CPU busy idle, share", "{:.3f}"),
    ("load_peak_pss_mib", "memory under load, PSS MiB", "{:.0f}"),
    ("startup_s", "start to healthy, s", "{:.0f}"),
)


def table(summary: dict[str, dict[str, float]]) -> str:
    return report.table(summary, ROWS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 round, 2 runs, 3 chains, 5 s idle window"
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (A B A B)")
    parser.add_argument("--runs", type=int, default=20, help="fan-out runs per round")
    parser.add_argument("--chains", type=int, default=20, help="chain runs per round")
    parser.add_argument("--idle", type=float, default=20, help="idle CPU window, s")
    parser.add_argument("--settle", type=float, default=5, help="pause before idle figures, s")
    parser.add_argument("--sides", default=",".join(SIDES), help="hangar,stock (or one)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.runs, args.chains, args.idle, args.settle = 1, 2, 3, 5, 2
    sides = chosen_sides(parser, args.sides)

    from benchmarks.stacks import BenchmarkFailed, copy_dags
    from tests.support.hangar_stack import drop_test_databases
    from tests.support.redis_server import RedisServer

    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hangar-platform-bench-") as tmp:
        root = Path(tmp)
        dags = copy_dags(root / "dags")
        broker = RedisServer(root / "redis")  # one Redis for both sides, a database each
        broker.start()
        try:
            for number in range(1, args.rounds + 1):
                for index, side in enumerate(sides):
                    broker_url = broker.url.rsplit("/", 1)[0] + f"/{index + 1}"
                    print(f"round {number}: {side} ...", file=sys.stderr, flush=True)
                    figures = run_round(side, root / f"{side}-{number}", dags, broker_url, args)
                    print(
                        f"  {figures['tasks_per_s']:.2f} tasks/s, chain p50 "
                        f"{statistics.median(figures['chain_s']):.2f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    rounds.append(figures)
        except BenchmarkFailed as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            broker.stop()
            drop_test_databases()
    summary = summarize(rounds)
    publish(
        table(summary),
        {"rounds": rounds, "summary": summary, "runs": args.runs, "chains": args.chains},
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
