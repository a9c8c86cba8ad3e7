"""The host name Airflow records on task instances (``[core] hostname_callable``)."""

from __future__ import annotations

import socket

from hangar_common.settings import current


def worker_hostname() -> str:
    """``worker-N@host`` for a native Celery worker (several share one host), else the FQDN.

    Natively every worker writes task logs into the one shared log folder the API server reads,
    so the name only has to tell workers apart; in containers each worker has its own host name.
    """
    fqdn = socket.getfqdn()
    name = current("worker_name")
    return f"{name}@{fqdn}" if name else fqdn
