"""An immutable, content-addressed store of DAG-bundle artifacts with a movable "current" pointer.

Layout under the store's root (any fsspec filesystem: ``file://`` locally, ``s3://`` for real)::

    versions/<sha256>/bundle.pex      the artifact; its SHA-256 is the version id
    versions/<sha256>/manifest.json   git commit, build time, size, files (with their hashes)
    current.json                      {"version": ..., "previous": ..., "updated_at": ...}

A version is written completely (artifact, then manifest) before any pointer names it, and the
pointer is replaced in one write (one PUT on S3, a rename locally), so a reader always sees a
whole version. Readers verify size and hash before using an artifact.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

POINTER = "current.json"
ARTIFACT = "bundle.pex"
MANIFEST = "manifest.json"
# PEX machinery inside a bundle PEX: not part of the bundle's own files.
PEX_MACHINERY = (".bootstrap/", ".deps/", "__pex__/", "PEX-INFO", "__main__.py")
# First-party code a bundle carries for its DAG files to import (its .airflowignore skips it).
BUNDLED_CODE = ("hangar_common/", "hangar_plugins/")


class BundleStoreError(RuntimeError):
    """The store holds no usable version where one was expected (missing, corrupt, truncated)."""


@dataclass(frozen=True, kw_only=True)
class Manifest:
    version: str
    size: int
    git_commit: str
    built_at: str
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 of its content
    # What deploying it changed, DAG by DAG (hangar_common.bundles.dag_plan): {"against": the
    # version it replaced or None, "lines": [...]}; None for versions published without one.
    plan: dict[str, Any] | None = None

    @property
    def dag_files(self) -> list[str]:
        """The bundle's Python modules outside the code it carries for them, wherever they are
        (the library's bundle: hangar_dags/; a test's or a drill's: their own folders)."""
        return sorted(
            path
            for path in self.files
            if path.endswith(".py")
            and not path.startswith(BUNDLED_CODE)
            and not path.endswith("__init__.py")
        )


@dataclass(frozen=True, kw_only=True)
class Pointer:
    version: str
    previous: str | None
    updated_at: str


def artifact_files(artifact: bytes) -> dict[str, str]:
    """The bundle's own files in a PEX and the SHA-256 of each."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(artifact))
    except zipfile.BadZipFile as exc:
        raise BundleStoreError(f"artifact is not a PEX/zip archive: {exc}") from None
    with archive:
        return {
            info.filename: hashlib.sha256(archive.read(info)).hexdigest()
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith(PEX_MACHINERY)
        }


def _now() -> str:
    # Microseconds: versions published within one second must still list in publish order.
    return datetime.now(UTC).isoformat(timespec="microseconds")


class BundleStore:
    """One bundle store: a filesystem and the root path inside it."""

    def __init__(self, fs: AbstractFileSystem, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")

    @classmethod
    def from_url(cls, url: str, **storage_options: Any) -> BundleStore:
        from fsspec.core import url_to_fs

        fs, root = url_to_fs(url, **storage_options)
        return cls(fs, root)

    def _path(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    # -- reading --------------------------------------------------------------------------------
    def current(self) -> Pointer | None:
        """The pointer (one small read), or None before the first deploy."""
        try:
            raw = self.fs.cat_file(self._path(POINTER))
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            return Pointer(
                version=str(data["version"]),
                previous=data.get("previous"),
                updated_at=str(data["updated_at"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BundleStoreError(f"{self._path(POINTER)} is not a valid pointer: {exc}") from None

    def manifest(self, version: str) -> Manifest:
        try:
            data = json.loads(self.fs.cat_file(self._path("versions", version, MANIFEST)))
        except FileNotFoundError:
            raise BundleStoreError(f"version {version} does not exist in {self.root}") from None
        except ValueError as exc:
            raise BundleStoreError(f"manifest of {version} is not JSON: {exc}") from None
        # Fields a newer Hangar added are ignored: a manifest stays readable by older readers.
        known = {f.name for f in fields(Manifest)}
        return Manifest(**{key: value for key, value in data.items() if key in known})

    def versions(self) -> list[Manifest]:
        """Every complete version (one with a manifest), oldest first."""
        try:
            folders = self.fs.ls(self._path("versions"), detail=False)
        except FileNotFoundError:
            return []
        found = []
        for folder in folders:
            try:
                found.append(self.manifest(str(folder).rstrip("/").rsplit("/", 1)[-1]))
            except BundleStoreError:
                continue  # an upload in progress or abandoned: never a version
        return sorted(found, key=lambda manifest: manifest.built_at)

    def fetch(self, version: str) -> bytes:
        """The artifact of ``version``, verified against its size and hash."""
        manifest = self.manifest(version)
        try:
            artifact = self.fs.cat_file(self._path("versions", version, ARTIFACT))
        except FileNotFoundError:
            raise BundleStoreError(f"artifact of version {version} is missing") from None
        if len(artifact) != manifest.size:
            raise BundleStoreError(
                f"artifact of {version} is truncated or padded: {len(artifact)} bytes, "
                f"manifest says {manifest.size}"
            )
        digest = hashlib.sha256(artifact).hexdigest()
        if digest != version:
            raise BundleStoreError(f"artifact of {version} is corrupt: its sha256 is {digest}")
        return bytes(artifact)

    # -- writing --------------------------------------------------------------------------------
    def publish(
        self, artifact: bytes, *, git_commit: str, plan: dict[str, Any] | None = None
    ) -> tuple[Manifest, bool]:
        """Upload ``artifact`` as an immutable version; (manifest, False) if it already exists.

        ``plan``: what deploying it changes (kept in its manifest; an existing version keeps its own).
        """
        version = hashlib.sha256(artifact).hexdigest()
        try:
            existing = self.manifest(version)
        except BundleStoreError:
            existing = None
        if existing is not None:
            return existing, False
        manifest = Manifest(
            version=version,
            size=len(artifact),
            git_commit=git_commit,
            built_at=_now(),
            files=artifact_files(artifact),
            plan=plan,
        )
        self._write(self._path("versions", version, ARTIFACT), artifact)
        # The manifest is written last: a version without one is not a version.
        self._write(
            self._path("versions", version, MANIFEST),
            json.dumps(asdict(manifest), indent=2, sort_keys=True).encode(),
        )
        return manifest, True

    def set_current(self, version: str) -> Pointer:
        """Move the pointer to an existing, intact version (verified before the move)."""
        self.fetch(version)
        before = self.current()
        if before is None:
            previous = None
        elif before.version == version:
            previous = before.previous  # re-pointing at current keeps the rollback target
        else:
            previous = before.version
        pointer = Pointer(version=version, previous=previous, updated_at=_now())
        self._write(self._path(POINTER), json.dumps(asdict(pointer)).encode())
        return pointer

    def prune(self, *, keep: int, referenced: set[str], dry_run: bool = False) -> list[Manifest]:
        """Delete versions beyond the newest ``keep``, except the pointer's current and previous
        ones and every version in ``referenced`` (runs still use them); the deleted, oldest first.

        The manifest goes first: from that moment the version no longer lists, and a reader
        asking for it gets a clear "does not exist" instead of a half-deleted artifact.
        """
        if keep < 1:
            raise ValueError("keep must be at least 1: the newest version is never deleted")
        versions = self.versions()
        pointer = self.current()
        protected = set(referenced) | {m.version for m in versions[-keep:]}
        if pointer is not None:
            protected |= {pointer.version, pointer.previous or ""}
        doomed = [m for m in versions if m.version not in protected]
        if not dry_run:
            for manifest in doomed:
                self.fs.rm(self._path("versions", manifest.version, MANIFEST))
                self.fs.rm(self._path("versions", manifest.version), recursive=True)
        return doomed

    def _write(self, path: str, data: bytes) -> None:
        if isinstance(self.fs, LocalFileSystem):
            # Local files: write aside, then rename over (atomic on one filesystem).
            folder = os.path.dirname(path)
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        else:
            # Object stores: one PUT replaces an object atomically for every reader.
            self.fs.pipe_file(path, data)
