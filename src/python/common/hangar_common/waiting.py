"""One way to wait for something to become true: tenacity's retrying, with Hangar's messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_delay,
    wait_fixed,
)

T = TypeVar("T")


def poll_until(
    check: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 1.0,
    retry_on: tuple[type[BaseException], ...] = (),
    describe: Callable[[], str] = lambda: "the condition",
) -> T:
    """Call ``check`` every ``interval`` s until it returns a value other than None or False
    (exceptions in ``retry_on`` count as "not yet"); its value, or :class:`TimeoutError` after
    ``timeout`` s naming ``describe()`` (the last exception chained)."""
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(interval),
        retry=retry_if_result(lambda value: value is None or value is False)
        | retry_if_exception_type(retry_on),
        reraise=False,
    )
    try:
        return retrying(check)  # type: ignore[return-value]
    except RetryError as exc:
        cause = exc.last_attempt.exception()
        raise TimeoutError(f"{describe()} after {timeout:.0f} s") from cause
