"""A versioned DAG bundle fed from Hangar's bundle store (``./hangar deploy``).

Configured for every component through ``[dag_processor] dag_bundle_config_list`` by
:mod:`hangar_common.platform.airflow_config`. The dag-processor instance (no version) follows the store's
"current" pointer: each refresh reads the pointer (one small request) and downloads nothing
unless it moved; a new version is verified against its hash, unpacked into its own folder and
switched to atomically (a symlink swap). A task instance gets the instance pinned to its run's
bundle version, so a run keeps its code when a newer version lands. A missing, truncated or
corrupt artifact is rejected: the last good version keeps serving and the error is recorded in
``sync-status.json`` (read by ``./hangar status``) and logged. Old version folders are removed by
Airflow's own stale-bundle cleanup, which keeps those locked by running tasks.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from airflow.dag_processing.bundles.base import (
    BaseDagBundle,
    BundleVersion,
    get_bundle_tracking_file,
)

from hangar_common.bundles.store import PEX_MACHINERY, BundleStore, BundleStoreError

log = logging.getLogger(__name__)

CURRENT_LINK = "current"
EMPTY_VERSION = "_empty"
STATUS_FILE = "sync-status.json"


def open_store(store_url: str, conn_id: str | None) -> BundleStore:
    """The bundle store at ``store_url``: a local folder, or object storage through ``conn_id``."""
    if store_url.startswith("file://") or "://" not in store_url:
        from fsspec.implementations.local import LocalFileSystem

        return BundleStore(LocalFileSystem(), store_url.removeprefix("file://"))
    from airflow.sdk import ObjectStoragePath

    # Endpoint and credentials come from the Airflow connection, never from code.
    path = ObjectStoragePath(store_url, conn_id=conn_id)
    return BundleStore(path.fs, path.path)


def unpack_version(store: BundleStore, version: str, target: Path) -> None:
    """Unpack stored ``version`` (verified: size and sha256) into ``target``, whole or not at all:
    into a staging folder first, marked complete, then renamed into place."""
    if (target / ".complete").is_file():
        return
    artifact = store.fetch(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    with zipfile.ZipFile(io.BytesIO(artifact)) as archive:
        members = [m for m in archive.namelist() if not m.startswith(PEX_MACHINERY)]
        archive.extractall(staging, members=members)
    (staging / ".complete").write_text(version, encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)  # an earlier, interrupted unpack
    os.replace(staging, target)


class VersionedStoreDagBundle(BaseDagBundle):
    """DAG bundle whose versions are immutable artifacts in object storage.

    :param store_url: the bundle store, e.g. ``file:///srv/hangar/bundles`` or
        ``s3://bucket/hangar/bundles``.
    :param conn_id: Airflow connection holding the object store's endpoint and credentials
        (``None`` for ``file://``).
    :param refresh_interval: seconds between checks of the store's pointer once a version is
        served (a deploy asks for a check at once: ``hangar_common.bundles.refresh_request``).
    :param empty_refresh_interval: seconds between checks while nothing is deployed: the first
        deploy has no DAG yet to ask a reparse of, so it is found by polling.
    """

    supports_versioning = True

    def __init__(
        self,
        *,
        store_url: str,
        conn_id: str | None = None,
        empty_refresh_interval: int = 5,
        **kwargs: object,
    ) -> None:
        self.empty_refresh_interval = empty_refresh_interval
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store_url = store_url
        self.conn_id = conn_id
        self._store: BundleStore | None = None

    @property
    def refresh_interval(self) -> int:
        """What Airflow's dag-processor waits between refreshes: the short interval while no
        version is served yet, else the configured one."""
        if not self.version and self._local_current() is None:
            return min(self._refresh_interval, self.empty_refresh_interval)
        return self._refresh_interval

    @refresh_interval.setter
    def refresh_interval(self, value: int) -> None:  # BaseDagBundle.__init__ sets it
        self._refresh_interval = value

    # -- where things are -----------------------------------------------------------------------
    @property
    def path(self) -> Path:
        if self.version:
            return self.versions_dir / self.version
        return self.base_dir / CURRENT_LINK

    @property
    def status_file(self) -> Path:
        return self.base_dir / STATUS_FILE

    def store(self) -> BundleStore:
        if self._store is None:
            self._store = open_store(self.store_url, self.conn_id)
        return self._store

    def _local_current(self) -> str | None:
        link = self.base_dir / CURRENT_LINK
        if not link.is_symlink():
            return None
        version = os.readlink(link).rstrip("/").rsplit("/", 1)[-1]
        return None if version == EMPTY_VERSION else version

    # -- Airflow's bundle API -------------------------------------------------------------------
    def initialize(self) -> None:
        with self.lock():
            if self.version:
                self._ensure_unpacked(self.version)
            elif self._local_current() is None:
                self._sync()
        super().initialize()

    def refresh(self) -> None:
        if self.version:
            return  # a pinned version never moves
        with self.lock():
            self._sync()

    def get_current_version(self) -> BundleVersion | None:
        version = self.version or self._local_current()
        return BundleVersion(version=version) if version else None

    # -- syncing --------------------------------------------------------------------------------
    def _sync(self) -> None:
        """Follow the store's pointer; on any failure keep the last good version."""
        local = self._local_current()
        try:
            pointer = self.store().current()
            if pointer is None:
                self._switch_to(EMPTY_VERSION, make_empty=True)
                self._record(ok=True, current=None, message="no version deployed yet")
                return
            if pointer.version == local:
                self._mark_used(local)
                self._record(ok=True, current=local, message="up to date")
                return
            self._ensure_unpacked(pointer.version)
            self._switch_to(pointer.version)
            log.info("Bundle %s switched to version %s", self.name, pointer.version)
            self._record(ok=True, current=pointer.version, message=f"switched from {local}")
        except (BundleStoreError, OSError) as exc:
            log.error(
                "Bundle %s: rejected the store's current version, keeping %s: %s",
                self.name,
                local,
                exc,
            )
            self._record(ok=False, current=local, message=str(exc))
            if local is None:
                self._switch_to(EMPTY_VERSION, make_empty=True)

    def _ensure_unpacked(self, version: str) -> None:
        unpack_version(self.store(), version, self.versions_dir / version)

    def _switch_to(self, version: str, *, make_empty: bool = False) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        target = self.versions_dir / version
        if make_empty:
            target.mkdir(parents=True, exist_ok=True)
        link = self.base_dir / CURRENT_LINK
        if link.is_symlink() and os.readlink(link) == str(target):
            return
        tmp = self.base_dir / f".{CURRENT_LINK}.{uuid.uuid4().hex}"
        os.symlink(target, tmp)
        os.replace(tmp, link)  # atomic: readers see the old or the new version, never neither
        if not make_empty:
            self._mark_used(version)

    def _mark_used(self, version: str) -> None:
        """Stamp the version's usage-tracking file, as Airflow's task-side version lock does.

        Airflow's stale-bundle cleanup only considers versions with a tracking file: stamping
        the versions the dag-processor unpacks lets it remove old ones (by age, keeping the
        newest few), while running tasks' shared locks keep the versions they use.
        """
        tracking = get_bundle_tracking_file(bundle_name=self.name, version=version)
        tracking.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")  # always the same length
        try:
            # In place, never replaced: a running task holds its shared lock on this very file
            # (inode). A new file would let the cleanup's exclusive lock succeed on it and delete
            # the version under the task (seen when a deploy came 10 s after the task started).
            with tracking.open("r+", encoding="utf-8") as handle:
                handle.write(stamp)
                handle.truncate()
            return
        except FileNotFoundError:
            pass
        tmp = tracking.with_name(f".{version}.{uuid.uuid4().hex}")
        tmp.write_text(stamp, encoding="utf-8")
        os.replace(tmp, tracking)

    def _record(self, *, ok: bool, current: str | None, message: str) -> None:
        from airflow.observability import stats

        # Counted for the bundle-sync alert (config/prometheus/alerts.yml), whatever the emitter.
        stats.incr("hangar.bundle_sync.ok" if ok else "hangar.bundle_sync.failed")
        status = {
            "bundle": self.name,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ok": ok,
            "current": current,
            "message": message,
        }
        if not ok:
            status["last_error"] = message
        elif self.status_file.is_file():
            try:
                previous = json.loads(self.status_file.read_text(encoding="utf-8"))
                if previous.get("last_error"):
                    status["last_error_before"] = previous["last_error"]
            except (OSError, ValueError):
                pass
        self.base_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.status_file.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(status), encoding="utf-8")
        os.replace(tmp, self.status_file)
