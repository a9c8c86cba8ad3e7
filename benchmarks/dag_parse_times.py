"""Parse time of each DAG file, as the dag-processor pays it (DagBag with Hangar's policy).

Usage: ./pants run benchmarks/dag_parse_times.py   (prints a table; median of 5 parses each)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

REPEATS = 5


def main() -> int:
    os.environ.setdefault("AIRFLOW_VAR_DAG_NUMBER", "10")  # no metadata DB needed for the count
    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import get_policy_plugin_manager

    from hangar_plugins import policies

    get_policy_plugin_manager().register(policies)
    root = Path(__file__).resolve().parents[1] / "src/python/dags"
    files = sorted(p for p in (root / "hangar_dags").rglob("*.py") if p.name != "__init__.py")
    print(f"{'DAG file':<48} {'DAGs':>5} {'median ms':>10} {'max ms':>8}")
    for path in files:
        timings = []
        dags = 0
        for _ in range(REPEATS):
            for name in [m for m in sys.modules if m.startswith("hangar_dags")]:
                del sys.modules[name]  # parse from scratch each time, as a fresh processor does
            start = time.perf_counter()
            bag = DagBag(dag_folder=str(path), bundle_path=root, safe_mode=False)
            timings.append((time.perf_counter() - start) * 1000)
            if bag.import_errors:
                print(f"{path.name}: import errors {bag.import_errors}", file=sys.stderr)
                return 1
            dags = len(bag.dags)
        rel = str(path.relative_to(root))
        print(f"{rel:<48} {dags:>5} {statistics.median(timings):>10.1f} {max(timings):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
