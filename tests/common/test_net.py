from __future__ import annotations

import socket

import pytest

from hangar_common import net


def test_free_port_is_bindable() -> None:
    port = net.free_port()
    assert net.port_is_free(port)


def test_a_listening_port_is_not_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not net.port_is_free(sock.getsockname()[1])


def test_ranged_ports_and_their_twins_stay_below_the_ephemeral_range() -> None:
    floor = net.ephemeral_port_floor()
    for _ in range(50):
        base = net.free_port_range(5, twin_offset=10000)
        assert base >= 1024
        assert base + 4 + 10000 < floor
        assert all(
            net.port_is_free(base + i) and net.port_is_free(base + i + 10000) for i in range(5)
        )


def test_a_range_that_cannot_fit_below_the_ephemeral_range_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(net, "ephemeral_port_floor", lambda: 9000)
    with pytest.raises(RuntimeError, match="below the ephemeral range"):
        net.free_port_range(5, twin_offset=10000)


def test_the_ephemeral_floor_is_read_from_the_kernel() -> None:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        assert net.ephemeral_port_floor() == int(f.read().split()[0])
