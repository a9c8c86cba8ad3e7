"""Marking a version used keeps the lock a running task holds on its tracking file."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from airflow.dag_processing.bundles.base import BundleVersionLock, get_bundle_tracking_file

from hangar_plugins.bundles.versioned_store import VersionedStoreDagBundle


def test_marking_a_version_used_keeps_a_running_tasks_lock(tmp_path: Path) -> None:
    bundle = VersionedStoreDagBundle(name="plan-lock-test", store_url=f"file://{tmp_path}")
    version = "v" * 64
    bundle._mark_used(version)
    tracking = get_bundle_tracking_file(bundle_name="plan-lock-test", version=version)
    with BundleVersionLock(bundle_name="plan-lock-test", bundle_version=version):
        inode = tracking.stat().st_ino
        bundle._mark_used(version)  # the dag-processor's refresh while the task runs
        assert tracking.stat().st_ino == inode
        # What Airflow's stale-bundle cleanup tries: it must fail while the task runs.
        with tracking.open("a") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert len(tracking.read_text()) == len("2026-12-07T08:15:06.123456+00:00")
    tracking.unlink()
