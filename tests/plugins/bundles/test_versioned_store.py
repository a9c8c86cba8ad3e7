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


def test_the_store_is_polled_often_only_while_nothing_is_served(tmp_path: Path) -> None:
    bundle = VersionedStoreDagBundle(
        name="poll-interval-test",
        store_url=f"file://{tmp_path}",
        refresh_interval=60,
        empty_refresh_interval=3,
    )
    assert bundle.refresh_interval == 3  # nothing deployed yet: the first deploy is polled for
    version = "p" * 64
    bundle._switch_to(version, make_empty=True)
    bundle._mark_used(version)
    try:
        assert bundle.refresh_interval == 60  # serving: deploys ask for a refresh themselves
        pinned = VersionedStoreDagBundle(
            name="poll-interval-test",
            store_url=f"file://{tmp_path}",
            version=version,
            refresh_interval=60,
            empty_refresh_interval=3,
        )
        assert pinned.refresh_interval == 60
    finally:
        get_bundle_tracking_file(bundle_name="poll-interval-test", version=version).unlink()
        (bundle.base_dir / "current").unlink()
