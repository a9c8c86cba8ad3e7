"""Parse one bundle folder as the dag-processor does and write what Airflow serializes, as JSON.

Started by :mod:`hangar_common.bundles.dag_snapshots` (the CLI side imports no Airflow) with
the platform's Airflow settings, cluster policy and plugin, so each DAG's serialized form is the
one the platform would store: the data Airflow hashes to decide whether a parse is a new DAG
version (sorted as Airflow sorts it, without ``fileloc``). Also written: import errors and the
findings of Airflow's own static version-inflation check, per file (hints for likely causes).

Usage: python -m hangar_plugins.bundles.dag_snapshot --bundle DIR --out SNAPSHOT.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def snapshot(bundle: Path) -> dict[str, Any]:
    """``{"dags": {dag_id: {"hash", "file", "data"}}, "import_errors", "static_findings",
    "policy_violations": {dag_id: [clause, ...]}}``."""
    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.dag_version_inflation_checker import check_dag_file_stability

    from hangar_plugins.policies import is_rejection
    from hangar_plugins.policy_record import collecting

    started = time.monotonic()
    with collecting() as policy_violations:  # each DAG's, whatever HANGAR_DAG_POLICY says
        bag = BundleDagBag(dag_folder=str(bundle), bundle_path=bundle)
    dags: dict[str, Any] = {}
    # A DAG the policy rejects is reported per DAG (policy_violations), not per file: Airflow
    # keeps one import error per file, the last DAG's.
    import_errors = {
        str(path): str(error)
        for path, error in bag.import_errors.items()
        if not is_rejection(str(error))
    }
    findings: dict[str, list[str]] = {}
    for dag_id, dag in sorted(bag.dags.items()):
        try:
            data = DagSerialization.to_dict(dag)
        except Exception as exc:  # noqa: BLE001 - reported as the dag-processor reports it
            import_errors[str(dag.relative_fileloc or dag.fileloc)] = f"cannot serialize: {exc}"
            continue
        digest = SerializedDagModel.hash(data)
        data = SerializedDagModel._sort_serialized_dag_dict(data)
        data["dag"].pop("fileloc", None)  # where this copy was unpacked: not part of the hash
        file = str(dag.relative_fileloc or dag.fileloc)
        dags[dag_id] = {"hash": digest, "file": file, "data": data}
        if file not in findings:
            result = check_dag_file_stability(bundle / file)
            findings[file] = [
                f"line {w.line}: {w.code}" for _, w in sorted(result.warnings.items())
            ] + [
                f"line {line}: {name} = {source}"
                for name, (line, source) in sorted(
                    result.runtime_varying_values.items(), key=lambda item: item[1][0]
                )
            ]
    return {
        "dags": dags,
        "import_errors": import_errors,
        "static_findings": {file: found for file, found in findings.items() if found},
        "policy_violations": dict(sorted(policy_violations.items())),
        "seconds": round(time.monotonic() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hangar_plugins.bundles.dag_snapshot")
    parser.add_argument("--bundle", type=Path, required=True, help="an unpacked bundle folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"dag_snapshot: {args.bundle} is not a folder", file=sys.stderr)
        return 2
    result = snapshot(args.bundle.resolve())
    # default=str: a value Airflow would store as its string form (it stores JSON too).
    args.out.write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
