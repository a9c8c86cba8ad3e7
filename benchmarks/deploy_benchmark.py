"""Deploy → visible: Hangar's versioned bundle vs stock Airflow's S3DagBundle, same run, A B A B.

Both sides run the Celery stack of the platform benchmark (:mod:`benchmarks.stacks`) with their
DAGs in one S3 server (SeaweedFS, a bucket each) and the benchmark's own DAG folder
(``benchmarks/dags``) as the code: a measure of the platform, whatever the DAG library holds.

- Hangar, **default profile**: ``HANGAR_DAG_SOURCE=store``; a deploy is ``./hangar deploy
  --artifact`` of that folder plus one new probe DAG (a new immutable version, the pointer moved).
- Stock: ``S3DagBundle`` at Airflow's default refresh interval; a deploy uploads the new probe
  file, as ``aws s3 sync`` would.

Per deploy: the seconds from the deploy's upload being complete until the REST API serves the
probe DAG (``GET /dags/{id}``). Idle: the requests the side sends to its bucket per second while
nothing is deployed (SeaweedFS' own request counters), over at least one refresh cycle.

Usage: ./pants run benchmarks:deploy -- [--quick] [--rounds N] [--deploys N] [--stock-deploys N]
``--quick`` (1 round, 2 + 1 deploys, both sides polling every 5 s) proves the suite runs.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.report import SIDES, chosen_sides, percentile, publish

# Airflow 3.3's [dag_processor] refresh_interval default: what S3DagBundle users get.
STOCK_DEFAULT_REFRESH_S = 300
PROBE_DAG = '''"""Deploy probe {index}: exists only from its deploy on."""

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="deploy_probe_{index}",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["benchmark"],
    default_args={{"owner": "benchmark", "retries": 1}},
)
def deploy_probe():
    @task
    def noop() -> None:
        return None

    noop()


deploy_probe()
'''


DAG_FOLDER = Path(__file__).resolve().parent / "dags"


def bundle_files() -> dict[str, bytes]:
    """The benchmark's DAG folder (``benchmarks/dags``): what each deploy ships besides its probe."""
    files = {path.name: path.read_bytes() for path in sorted(DAG_FOLDER.glob("*.py"))}
    if "benchmark_dags.py" not in files:
        raise RuntimeError(
            f"{DAG_FOLDER} holds no benchmark_dags.py: run ./pants run benchmarks:deploy"
        )
    return files


def probe_file(index: int) -> tuple[str, bytes]:
    return f"deploy_probe_{index}.py", PROBE_DAG.format(index=index).encode()


def artifact(files: dict[str, bytes]) -> bytes:
    """A bundle artifact: a zip of the files (what the DAG-bundle PEX is to the store)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def wait_visible(api: Any, dag_id: str, *, timeout: float, interval: float = 0.25) -> float:
    """Seconds until ``GET /dags/{dag_id}`` answers (polled every ``interval`` s)."""
    started = time.monotonic()
    while True:
        try:
            api.get(f"dags/{dag_id}")
            return time.monotonic() - started
        except Exception:  # noqa: BLE001 - 404 until the dag-processor stored it
            from benchmarks.stacks import BenchmarkFailed

            if time.monotonic() - started > timeout:
                raise BenchmarkFailed(f"{dag_id} not visible after {timeout:.0f} s") from None
            if int(time.monotonic() - started) % 10 == 0:  # a file that cannot import: say so
                errors = api.get("importErrors", limit=100)["import_errors"]
                mine = [e for e in errors if dag_id in e["filename"]]
                if mine:
                    raise BenchmarkFailed(f"{dag_id}: {mine[0]['stack_trace'][-500:]}") from None
            time.sleep(interval)


def idle_rate(requests: Callable[[], float], seconds: float) -> float:
    """Requests per second the side sends its bucket over ``seconds`` of nothing deployed."""
    before = requests()
    time.sleep(seconds)
    return (requests() - before) / seconds


def run_round(
    side_name: str, workdir: Path, s3: Any, broker: str, args: Any, files: dict[str, bytes]
) -> dict[str, Any]:
    from benchmarks.stacks import HangarCelery, StockCelery
    from tests.support.seaweedfs import ACCESS_KEY, SECRET_KEY

    bucket = f"bench-{side_name}-{workdir.name}"
    s3.create_bucket(bucket)
    client = s3.client()
    dags = workdir / "unused-dags"
    dags.mkdir(parents=True, exist_ok=True)
    if side_name == "hangar":
        for needed in ("hangar-lake", "hangar-logs"):  # the lake and remote task logs
            try:
                s3.create_bucket(needed)
            except Exception:  # noqa: BLE001 - made by an earlier round
                pass
        side: Any = HangarCelery(
            workdir=workdir,
            dags_folder=dags,
            broker_url=broker,
            extra_env={
                "HANGAR_DAG_SOURCE": "store",
                "HANGAR_BUNDLE_STORE_URL": f"s3://{bucket}/bundles",
                "HANGAR_S3_ENDPOINT": s3.endpoint,
                "HANGAR_S3_ACCESS_KEY": ACCESS_KEY,
                "HANGAR_S3_SECRET_KEY": SECRET_KEY,
            },
        )
        if args.hangar_refresh:
            side.env["HANGAR_BUNDLE_STORE_POLL_INTERVAL"] = str(args.hangar_refresh)
        refresh_s = float(args.hangar_refresh or _hangar_default_refresh())
    else:
        refresh_s = float(args.stock_refresh or STOCK_DEFAULT_REFRESH_S)
        for name, data in {**files, "deploy_probe_0.py": probe_file(0)[1]}.items():
            client.put_object(Bucket=bucket, Key=f"dags/{name}", Body=data)  # `aws s3 sync`
        bundle: dict[str, Any] = {
            "name": "dags-s3",
            "classpath": "airflow.providers.amazon.aws.bundles.s3.S3DagBundle",
            "kwargs": {"aws_conn_id": "dags_s3", "bucket_name": bucket, "prefix": "dags"},
        }
        if args.stock_refresh:
            bundle["kwargs"]["refresh_interval"] = args.stock_refresh
        connection = {
            "conn_type": "aws",
            "login": ACCESS_KEY,
            "password": SECRET_KEY,
            "extra": {"endpoint_url": s3.endpoint, "region_name": "us-east-1"},
        }
        side = StockCelery(
            workdir=workdir,
            dags_folder=dags,
            broker_url=broker,
            extra_env={
                "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps([bundle]),
                "AIRFLOW_CONN_DAGS_S3": json.dumps(connection),
            },
        )
    side.start()
    try:
        api = side.api()
        if side_name == "hangar":
            _hangar_deploy(side, workdir, {**files, "deploy_probe_0.py": probe_file(0)[1]})
        wait_visible(api, "deploy_probe_0", timeout=600)
        # 2.5 refresh cycles: at least two fall in the window, however they align.
        idle_s = max(args.idle, 2.5 * refresh_s)
        idle = idle_rate(lambda: sum(s3.s3_requests(bucket=bucket).values()), idle_s)
        latencies = []
        count = args.deploys if side_name == "hangar" else args.stock_deploys
        shipped = dict(files)
        for index in range(1, count + 1):
            name, data = probe_file(index)
            shipped[name] = data
            if side_name == "hangar":
                _hangar_deploy(side, workdir, shipped)
            else:
                client.put_object(Bucket=bucket, Key=f"dags/{name}", Body=data)
            latencies.append(wait_visible(api, f"deploy_probe_{index}", timeout=refresh_s + 300))
            print(f"  deploy {index}: {latencies[-1]:.1f} s", file=sys.stderr, flush=True)
    finally:
        side.stop()
    return {
        "side": side_name,
        "refresh_interval_s": refresh_s,
        "idle_window_s": idle_s,
        "idle_requests_per_s": idle,
        "deploy_to_visible_s": latencies,
    }


def _hangar_default_refresh() -> int:
    from hangar_common.settings import HangarSettings

    return HangarSettings().bundle_store_poll_interval


def _hangar_deploy(side: Any, workdir: Path, files: dict[str, bytes]) -> None:
    from benchmarks.stacks import BenchmarkFailed
    from tests.support.hangar_stack import hangar

    path = workdir / "artifact.zip"
    path.write_bytes(artifact(files))
    proc = hangar(side.env, "deploy", "--artifact", str(path))
    if proc.returncode != 0:
        raise BenchmarkFailed(f"hangar deploy failed:\n{proc.stdout}\n{proc.stderr}")


def summarize(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    summary = {}
    for side in SIDES:
        mine = [r for r in rounds if r["side"] == side]
        latencies = [s for r in mine for s in r["deploy_to_visible_s"]]
        if not latencies:
            continue
        summary[side] = {
            "refresh_interval_s": mine[0]["refresh_interval_s"],
            "deploys": len(latencies),
            "visible_p50_s": statistics.median(latencies),
            "visible_p95_s": percentile(latencies, 0.95),
            "idle_requests_per_s": statistics.mean(r["idle_requests_per_s"] for r in mine),
        }
    return summary


ROWS = (
    ("refresh_interval_s", "refresh interval, s", "{:.0f}"),
    ("deploys", "deploys measured", "{:.0f}"),
    ("visible_p50_s", "deploy -> visible p50, s", "{:.1f}"),
    ("visible_p95_s", "deploy -> visible p95, s", "{:.1f}"),
    ("idle_requests_per_s", "idle store requests/s", "{:.3f}"),
)


def table(summary: dict[str, dict[str, float]]) -> str:
    return report.table(summary, ROWS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round, 2 + 1 deploys")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per side (A B A B)")
    parser.add_argument("--deploys", type=int, default=10, help="Hangar deploys per round")
    parser.add_argument(
        "--stock-deploys",
        type=int,
        default=3,
        help="stock deploys per round (each waits up to a 300 s refresh)",
    )
    parser.add_argument(
        "--stock-refresh", type=int, help="override stock's refresh interval (not its default)"
    )
    parser.add_argument(
        "--hangar-refresh", type=int, help="override Hangar's store poll interval (not its default)"
    )
    parser.add_argument("--idle", type=float, default=60, help="minimum idle window, s")
    parser.add_argument("--sides", default=",".join(SIDES), help="hangar,stock (or one)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        # An idle window of 2.5 stock refreshes: at least two fall in it, however they align.
        args.rounds, args.deploys, args.stock_deploys, args.idle = 1, 2, 1, 12.5
        args.stock_refresh = args.stock_refresh or 5
        args.hangar_refresh = args.hangar_refresh or 5
    sides = chosen_sides(parser, args.sides)

    from benchmarks.stacks import BenchmarkFailed
    from tests.support.hangar_stack import drop_test_databases
    from tests.support.redis_server import RedisServer
    from tests.support.seaweedfs import SeaweedFS

    files = bundle_files()
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hangar-deploy-bench-") as tmp:
        root = Path(tmp)
        broker = RedisServer(root / "redis")
        s3 = SeaweedFS(root / "seaweedfs")
        broker.start()
        s3.start()
        try:
            for number in range(1, args.rounds + 1):
                for index, side in enumerate(sides):
                    broker_url = broker.url.rsplit("/", 1)[0] + f"/{index + 1}"
                    print(f"round {number}: {side} ...", file=sys.stderr, flush=True)
                    rounds.append(
                        run_round(side, root / f"{side}-{number}", s3, broker_url, args, files)
                    )
        except BenchmarkFailed as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            s3.stop()
            broker.stop()
            drop_test_databases()
    summary = summarize(rounds)
    publish(table(summary), {"rounds": rounds, "summary": summary}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
