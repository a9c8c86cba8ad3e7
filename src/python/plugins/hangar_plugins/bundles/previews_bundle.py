"""The ``hangar-previews`` DAG bundle: every preview (``./hangar deploy --preview NAME``) in one
folder per name.

Configured beside the deployed bundle on every component with a bundle store
(:mod:`hangar_common.platform.airflow_config`); see :mod:`hangar_common.bundles.previews` for
why one bundle holds them all. Each sync reads the store's previews (one listing, one pointer
read per preview), unpacks a preview's new version (verified against its hash) into its own
folder and switches ``tree/NAME`` to it atomically (a symlink swap); a preview gone from the
store leaves the tree, so the dag-processor marks its DAGs stale at once. A preview whose
artifact is missing or corrupt keeps serving its last good version. Not versioned: a task runs
its preview's current code (a preview is a work in progress; runs are not pinned).
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from airflow.dag_processing.bundles.base import BaseDagBundle, BundleVersion

from hangar_common.bundles.previews import TREE, current_previews, preview_store
from hangar_common.bundles.store import BundleStore, BundleStoreError
from hangar_plugins.bundles.versioned_store import open_store, unpack_version

log = logging.getLogger(__name__)


class PreviewsDagBundle(BaseDagBundle):
    """DAG bundle of every preview in the bundle store, each in ``NAME/``.

    :param store_url: the deploys' bundle store (previews live under its ``previews/``).
    :param conn_id: Airflow connection holding the object store's endpoint and credentials
        (``None`` for ``file://``).
    """

    supports_versioning = False

    def __init__(self, *, store_url: str, conn_id: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store_url = store_url
        self.conn_id = conn_id
        self._store: BundleStore | None = None

    @property
    def path(self) -> Path:
        return self.base_dir / TREE

    def deploys_store(self) -> BundleStore:
        """The deploys' store, whose ``previews/`` this bundle serves."""
        if self._store is None:
            self._store = open_store(self.store_url, self.conn_id)
        return self._store

    def initialize(self) -> None:
        with self.lock():
            self._sync()
        super().initialize()

    def refresh(self) -> None:
        with self.lock():
            self._sync()

    def get_current_version(self) -> BundleVersion | None:
        return None

    # -- syncing --------------------------------------------------------------------------------
    def served(self) -> dict[str, str]:
        """Preview name -> the version its folder serves."""
        if not self.path.is_dir():
            return {}
        return {
            entry.name: os.readlink(entry).rstrip("/").rsplit("/", 1)[-1]
            for entry in self.path.iterdir()
            if entry.is_symlink()
        }

    def _sync(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            wanted = current_previews(self.deploys_store())
        except (BundleStoreError, OSError) as exc:
            log.error("Bundle %s: cannot read the previews, keeping them: %s", self.name, exc)
            return
        served = self.served()
        for name, pointer in wanted.items():
            if served.get(name) == pointer.version:
                continue
            target = self.versions_dir / name / pointer.version
            try:
                unpack_version(preview_store(self.deploys_store(), name), pointer.version, target)
            except (BundleStoreError, OSError) as exc:
                log.error(
                    "Bundle %s: preview %s keeps %s: %s", self.name, name, served.get(name), exc
                )
                continue
            self._link(name, target)
            self._drop_versions(name, keep={pointer.version, served.get(name, "")})
            log.info("Bundle %s: preview %s now serves %s", self.name, name, pointer.version)
        for name in set(served) - set(wanted):
            (self.path / name).unlink(missing_ok=True)
            shutil.rmtree(self.versions_dir / name, ignore_errors=True)
            log.info("Bundle %s: preview %s removed", self.name, name)

    def _link(self, name: str, target: Path) -> None:
        tmp = self.path / f".{name}.{uuid.uuid4().hex}"
        os.symlink(target, tmp)
        os.replace(tmp, self.path / name)  # atomic: the old version or the new one, never neither

    def _drop_versions(self, name: str, *, keep: set[str]) -> None:
        """Versions of ``name`` older than the one just replaced (a task that parsed that one a
        moment ago may still read its files)."""
        folder = self.versions_dir / name
        for entry in folder.iterdir() if folder.is_dir() else ():
            if entry.name not in keep and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
