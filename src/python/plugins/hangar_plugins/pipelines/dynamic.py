"""Read a dynamic DAG file's count at parse time without a metadata-DB round trip per parse.

``AIRFLOW_VAR_<NAME>`` in the environment wins and costs nothing. Otherwise the Variable is
read through Airflow's own secrets cache (``[secrets] use_cache``, which the platform turns on:
the dag-processor asks the API once per ``cache_ttl_seconds``, not once per parse).
"""

from __future__ import annotations

import logging

from hangar_plugins.pipelines.dag_count import parse_dag_count

log = logging.getLogger(__name__)


def configured_dag_count(name: str, *, default: int) -> int:
    from airflow.sdk import Variable

    try:
        raw = Variable.get(name, default=None)
    except Exception as exc:  # no API/DB reachable (a unit test, `python file.py`): default
        log.warning("Variable %s unavailable (%s); building %d DAGs", name, exc, default)
        raw = None
    return parse_dag_count(raw, name=name, default=default)
