"""``hangar deploy | versions | rollback``: build the DAG bundle, review it (its plan and the
version-inflation guard), publish it, move the pointer."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hangar_common.bundles.dag_plan import plan_lines
from hangar_common.bundles.dag_snapshots import parse_bundles, unpack
from hangar_common.bundles.dag_stability import Instability, compare_parses
from hangar_common.bundles.store import BundleStore, BundleStoreError
from hangar_common.platform.environment_spec import environment_file, load_environment
from hangar_common.settings import ConfigurationError, HangarSettings, env_name

BUNDLE_TARGET = "src/python/dags:dag-bundle"
BUNDLE_PEX = "dist/src.python.dags/dag-bundle.pex"


def store_url(env: Mapping[str, str], project_root: Path) -> str:
    """``HANGAR_BUNDLE_STORE_URL``, else the running embedded platform's object store (the
    same store its components read when ``HANGAR_DAG_SOURCE=store``)."""
    settings = HangarSettings.from_env(env)
    if settings.bundle_store_url or settings.embedded_bundle_store_url:
        return settings.bundle_store_url or settings.embedded_bundle_store_url
    raise ConfigurationError(
        "no bundle store: set HANGAR_BUNDLE_STORE_URL (s3://bucket/prefix or file:///path), or "
        f"start the platform (./hangar up) to use its embedded object store ({project_root})"
    )


def s3_storage_options(env: Mapping[str, str], project_root: Path) -> dict[str, Any]:
    """s3fs options from the object-storage connection of config/environment.yaml.

    The same definition `init` turns into the Airflow connection the platform's bundle class
    uses, so the CLI and Airflow reach the store with the same endpoint and credentials.
    """
    conn_id = HangarSettings.from_env(env).bundle_store_conn_id
    config_file = environment_file({**env, env_name("home"): str(project_root)})
    spec = load_environment(config_file, env)
    conn = next((c for c in spec.connections if c.conn_id == conn_id), None)
    if conn is None:
        raise ConfigurationError(f"connection {conn_id!r} is not defined in {config_file}")
    client_kwargs = {
        key: conn.extra[key] for key in ("endpoint_url", "region_name") if conn.extra.get(key)
    }
    return {"key": conn.login, "secret": conn.password, "client_kwargs": client_kwargs}


def open_store(env: Mapping[str, str], project_root: Path) -> BundleStore:
    url = store_url(env, project_root)
    options = s3_storage_options(env, project_root) if url.startswith("s3://") else {}
    return BundleStore.from_url(url, **options)


def build_artifact(project_root: Path) -> Path:
    """Package the DAG bundle PEX with Pants (reproducible: same code, same bytes)."""
    proc = subprocess.run(
        [str(project_root / "pants"), "package", BUNDLE_TARGET],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"./pants package {BUNDLE_TARGET} failed:\n{proc.stderr[-2000:]}")
    return project_root / BUNDLE_PEX


def git_commit(project_root: Path) -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=False,
    )
    commit = proc.stdout.strip() if proc.returncode == 0 else "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src/python"],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{commit}-dirty" if dirty else commit


def resolve_version(store: BundleStore, prefix: str) -> str:
    """The one stored version ``prefix`` names (``./hangar versions`` shows 12 characters)."""
    matches = [m.version for m in store.versions() if m.version.startswith(prefix)]
    if len(matches) != 1:
        raise BundleStoreError(f"{prefix!r} matches {len(matches)} versions (./hangar versions)")
    return matches[0]


@dataclass(frozen=True, kw_only=True)
class Review:
    """What deploying an artifact changes, and whether its DAGs are stable across parses."""

    against: str | None  # the live version compared with (None: nothing deployed yet)
    lines: list[str]
    unstable: list[Instability]
    # dag_id -> what breaks Hangar's DAG rules (bundles/dag_policy_check.py)
    policy_violations: dict[str, list[str]]
    dags: int
    seconds: float

    def manifest_plan(self) -> dict[str, Any]:
        return {"against": self.against, "lines": self.lines}


def review(
    store: BundleStore, artifact: bytes, *, env: Mapping[str, str], project_root: Path
) -> Review:
    """Parse the candidate twice (the version-inflation guard) and the live version once, all
    at once in separate processes, and compare them."""
    started = time.monotonic()
    pointer = store.current()
    with tempfile.TemporaryDirectory(prefix="hangar-plan-") as tmp:
        candidate = unpack(artifact, Path(tmp) / "candidate")
        folders = [candidate, candidate]
        if pointer is not None:
            folders.append(unpack(store.fetch(pointer.version), Path(tmp) / "live"))
        first, second, *live = parse_bundles(
            folders, env=env, project_root=project_root, work_dir=Path(tmp) / "parses"
        )
    return Review(
        against=pointer.version if pointer else None,
        lines=plan_lines(live[0] if live else None, first),
        unstable=compare_parses(first, second),
        policy_violations=first.policy_violations,
        dags=len(first.dags),
        seconds=time.monotonic() - started,
    )


def diff_versions(
    store: BundleStore, old: str, new: str, *, env: Mapping[str, str], project_root: Path
) -> list[str]:
    """What moving from stored version ``old`` to ``new`` changes (both parsed now, alike)."""
    with tempfile.TemporaryDirectory(prefix="hangar-diff-") as tmp:
        folders = [
            unpack(store.fetch(version), Path(tmp) / name)
            for name, version in (("old", old), ("new", new))
        ]
        before, after = parse_bundles(
            folders, env=env, project_root=project_root, work_dir=Path(tmp) / "parses"
        )
    return plan_lines(before, after)
