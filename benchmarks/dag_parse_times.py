"""Parse time of each DAG file, as the dag-processor pays it (DagBag with Hangar's policy).

Each file is parsed in a fresh process with Airflow already imported (the dag-processor forks
its parse children from a process that has it): "first" is that parse, Hangar modules included;
"again" is the median of 4 re-parses in the same process.

Usage: ./pants run benchmarks/dag_parse_times.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

AGAIN = 4


def _measure(path: str, bundle_root: str) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import get_policy_plugin_manager

    from hangar_plugins import policies

    get_policy_plugin_manager().register(policies)
    timings = []
    for _ in range(1 + AGAIN):
        for name in [m for m in sys.modules if m.startswith("hangar_dags.")]:
            del sys.modules[name]
        start = time.perf_counter()
        bag = DagBag(dag_folder=path, bundle_path=Path(bundle_root), safe_mode=False)
        timings.append((time.perf_counter() - start) * 1000)
        if bag.import_errors:
            raise SystemExit(f"import errors: {bag.import_errors}")
    print(json.dumps({"dags": len(bag.dags), "first": timings[0], "again": timings[1:]}))


def main() -> int:
    import hangar_dags
    from benchmarks.child import ChildFailed, run_child

    root = Path(hangar_dags.__file__).resolve().parent.parent  # the bundle root
    files = sorted(p for p in (root / "hangar_dags").rglob("*.py") if p.name != "__init__.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.setdefault("AIRFLOW_VAR_DAG_NUMBER", "10")  # the dynamic file's count, without a DB
    print(f"{'DAG file':<46} {'DAGs':>5} {'first ms':>9} {'again ms':>9}")
    for path in files:
        try:
            figures = run_child(__file__, "--measure", str(path), str(root), env=env)
        except ChildFailed as exc:
            print(exc, file=sys.stderr)
            return 1
        rel = str(path.relative_to(root))
        again = statistics.median(figures["again"])
        print(f"{rel:<46} {figures['dags']:>5} {figures['first']:>9.1f} {again:>9.1f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        _measure(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
