"""What Airflow serializes for each DAG of a bundle artifact, parsed in child processes.

An artifact is unpacked as the platform's bundle class unpacks it, then parsed by
:mod:`hangar_plugins.bundles.dag_snapshot` (started by module name: this side imports no Airflow)
with the platform's Airflow settings, cluster policy and plugin, as :mod:`hangar_common.dagtest`
runs DAGs. Several parses run at once, each in its own process with its own hash seed, so a value
that depends on set order differs between two parses as it would between two dag-processor runs.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hangar_common.bundles.store import PEX_MACHINERY, BundleStoreError

RUNNER_MODULE = "hangar_plugins.bundles.dag_snapshot"
# Dataset entries of the ingestion library: config/datasets/<name>.yaml, wherever the bundle
# keeps its config/ folder (the library's: hangar_dags/config/datasets/).
DATASETS_GLOB = "**/config/datasets/*.yaml"
# Never connected to: parsing DAGs reads no metadata DB, but the settings need a URL.
UNUSED_METADATA_DB = "postgresql://hangar-plan@127.0.0.1:1/unused"
PARSE_TIMEOUT_S = 600.0


@dataclass(frozen=True, kw_only=True)
class BundleSnapshot:
    """One parse of one bundle."""

    dags: dict[str, dict[str, Any]]  # dag_id -> serialized form (what Airflow hashes)
    hashes: dict[str, str]  # dag_id -> Airflow's dag_hash
    files: dict[str, str]  # dag_id -> file, relative to the bundle
    import_errors: dict[str, str] = field(default_factory=dict)
    static_findings: dict[str, list[str]] = field(default_factory=dict)  # file -> hints
    datasets: dict[str, Any] = field(default_factory=dict)  # dataset name -> its YAML
    # dag_id -> what breaks Hangar's DAG rules, one clause per rule (in either policy mode)
    policy_violations: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], *, datasets: dict[str, Any]) -> BundleSnapshot:
        dags = raw["dags"]
        return cls(
            dags={dag_id: entry["data"] for dag_id, entry in dags.items()},
            hashes={dag_id: entry["hash"] for dag_id, entry in dags.items()},
            files={dag_id: entry["file"] for dag_id, entry in dags.items()},
            import_errors=dict(raw.get("import_errors", {})),
            static_findings=dict(raw.get("static_findings", {})),
            datasets=datasets,
            policy_violations=dict(raw.get("policy_violations", {})),
            seconds=float(raw.get("seconds", 0.0)),
        )


def unpack(artifact: bytes, folder: Path) -> Path:
    """The bundle's own files of ``artifact`` under ``folder`` (as the platform unpacks them)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(artifact))
    except zipfile.BadZipFile as exc:
        raise BundleStoreError(f"artifact is not a PEX/zip archive: {exc}") from None
    with archive:
        members = [m for m in archive.namelist() if not m.startswith(PEX_MACHINERY)]
        archive.extractall(folder, members=members)
    return folder


def read_datasets(bundle: Path) -> dict[str, Any]:
    """Every dataset entry of the bundle, by name (the file's stem)."""
    entries: dict[str, Any] = {}
    for path in sorted(bundle.glob(DATASETS_GLOB)):
        try:
            entries[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            entries[path.stem] = {"<invalid YAML>": str(exc).splitlines()[0]}
    return entries


def parse_environment(
    env: Mapping[str, str], *, project_root: Path, work_dir: Path, bundle: Path
) -> dict[str, str]:
    """A parse's process environment: the platform's Airflow settings (those that shape DAGs:
    default retries, alerts, policy, plugin), an Airflow home of its own under ``work_dir``."""
    from hangar_common.dagtest.launch import install_platform_extensions, runner_environment

    child = runner_environment(
        env,
        project_root=project_root,
        work_dir=work_dir,
        metadata_db_url=UNUSED_METADATA_DB,
        dag_folder=bundle,
    )
    install_platform_extensions(child)
    # Serialized into every DAG (_processor_dags_folder): the same for every parse of a folder.
    child["AIRFLOW__CORE__DAGS_FOLDER"] = str(bundle)
    return child


def parse_bundles(
    bundles: Sequence[Path],
    *,
    env: Mapping[str, str],
    project_root: Path,
    work_dir: Path,
    python: str = sys.executable,
    timeout: float = PARSE_TIMEOUT_S,
) -> list[BundleSnapshot]:
    """Parse each folder of ``bundles`` in its own process, all at once; one snapshot each, in
    order (a folder may be listed twice: two independent parses)."""
    seeds = random.sample(range(1, 2**32), len(bundles))  # distinct: set orders differ
    running = []
    for index, (bundle, seed) in enumerate(zip(bundles, seeds, strict=True)):
        folder = work_dir / f"parse-{index}"
        folder.mkdir(parents=True, exist_ok=True)
        child = parse_environment(env, project_root=project_root, work_dir=folder, bundle=bundle)
        child["PYTHONHASHSEED"] = str(seed)
        out, log = folder / "snapshot.json", folder / "parse.log"
        with log.open("wb") as handle:
            proc = subprocess.Popen(
                [python, "-m", RUNNER_MODULE, "--bundle", str(bundle), "--out", str(out)],
                env=child,
                cwd=folder,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        running.append((bundle, proc, out, log))
    snapshots = []
    for bundle, proc, out, log in running:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"parsing the DAGs of {bundle} took over {timeout:.0f} s") from None
        if proc.returncode != 0 or not out.is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise RuntimeError(
                f"parsing the DAGs of {bundle} failed (exit {proc.returncode}; it needs the "
                f"runtime venv's Airflow and {RUNNER_MODULE}):\n{tail}"
            )
        raw = json.loads(out.read_text(encoding="utf-8"))
        snapshots.append(BundleSnapshot.from_json(raw, datasets=read_datasets(bundle)))
    return snapshots
