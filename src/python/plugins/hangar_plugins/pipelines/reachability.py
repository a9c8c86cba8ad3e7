"""A source that cannot be reached fails its task at once, naming the connection and URL.

A name that does not resolve or a refused connection will not heal within Airflow's retry
delays; retrying them only hides the cause for minutes. Timeouts and HTTP errors still retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from airflow.sdk.exceptions import AirflowFailException

# (connect, read) seconds: a source that does not accept a connection in 10 s is not there.
HTTP_TIMEOUT = (10, 120)


class SourceUnreachable(AirflowFailException):
    """The source's host does not resolve or refuses connections; the task fails without
    retrying."""


@contextmanager
def failing_fast_when_unreachable(conn_id: str | None, url: str) -> Iterator[None]:
    """Turn a connection error inside the block into :class:`SourceUnreachable`."""
    try:
        yield
    except requests.exceptions.ConnectTimeout:
        raise  # maybe a slow network: retried
    except requests.exceptions.ConnectionError as exc:
        via = f"connection {conn_id!r} " if conn_id else ""
        raise SourceUnreachable(
            f"{via}({url}) cannot be reached: {_reason(exc)}. Check the connection's host, "
            "or this machine's network (this source may need the public internet)"
        ) from exc


def _reason(exc: BaseException) -> str:
    # requests wraps urllib3 wraps socket errors: the innermost message says what happened.
    inner: BaseException = exc
    while inner.__context__ is not None or inner.__cause__ is not None:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
    text = str(inner) or type(inner).__name__
    return text if len(text) < 300 else text[:300] + "…"
