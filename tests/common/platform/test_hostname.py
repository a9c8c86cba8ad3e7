from __future__ import annotations

import socket

import pytest

from hangar_common.platform.hostname import worker_hostname


def test_native_workers_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANGAR_WORKER_NAME", "worker-2")
    assert worker_hostname() == f"worker-2@{socket.getfqdn()}"
    monkeypatch.delenv("HANGAR_WORKER_NAME")
    assert worker_hostname() == socket.getfqdn()
