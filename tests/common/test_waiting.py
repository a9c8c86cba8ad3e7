from __future__ import annotations

import time

import pytest

from hangar_common.waiting import poll_until


def test_returns_the_first_real_value() -> None:
    answers = iter([None, False, "ready"])
    assert poll_until(lambda: next(answers), timeout=5, interval=0.01) == "ready"


def test_listed_exceptions_mean_not_yet_and_others_propagate() -> None:
    calls = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("not up")
        return len(calls)

    assert poll_until(flaky, timeout=5, interval=0.01, retry_on=(ConnectionError,)) == 3
    with pytest.raises(KeyError):
        empty: dict[str, int] = {}
        poll_until(lambda: empty["x"], timeout=5, interval=0.01, retry_on=(ConnectionError,))


def test_timeout_names_what_was_awaited_and_chains_the_last_error() -> None:
    start = time.monotonic()

    def refused() -> None:
        raise ConnectionError("refused")

    with pytest.raises(TimeoutError, match=r"^the store did not answer after 0 s$") as raised:
        poll_until(
            refused,
            timeout=0.3,
            interval=0.05,
            retry_on=(ConnectionError,),
            describe=lambda: "the store did not answer",
        )
    assert isinstance(raised.value.__cause__, ConnectionError)
    assert time.monotonic() - start < 2
