"""``hangar deploy | versions | rollback``: build the DAG bundle, publish it, move the pointer."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hangar_common.bundles.store import BundleStore, Manifest, artifact_files
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


@dataclass(frozen=True, kw_only=True)
class FileChanges:
    added: list[str]
    changed: list[str]
    removed: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def compare(current: Manifest | None, files: dict[str, str]) -> FileChanges:
    """Which files of a new artifact differ from the current version's."""
    before = current.files if current else {}
    return FileChanges(
        added=sorted(set(files) - set(before)),
        changed=sorted(path for path in files if path in before and before[path] != files[path]),
        removed=sorted(set(before) - set(files)),
    )


def changes_against_current(store: BundleStore, artifact: bytes) -> FileChanges:
    pointer = store.current()
    current = store.manifest(pointer.version) if pointer else None
    return compare(current, artifact_files(artifact))
