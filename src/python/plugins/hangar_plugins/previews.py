"""A preview's DAGs on the platform (``./hangar deploy --preview NAME``): told apart at parse
time, kept off production data at run time.

- :func:`apply_preview_identity` (from the cluster policy): a DAG file in the
  ``hangar-previews`` bundle's ``NAME/`` folder gets the id ``<dag_id>__preview_NAME``, the tag
  ``preview:NAME``, and arrives paused. The policy runs in every parse (dag-processor and the
  task's own), so both sides agree on the id.
- :func:`current_preview` (at run time): the running task's preview, which the lake
  (:func:`hangar_plugins.pipelines.settings.lake_url`) and the warehouse
  (:mod:`hangar_plugins.hooks.warehouse`, :class:`~hangar_plugins.operators.warehouse_sql.WarehouseSQLOperator`)
  turn into ``<lake>/previews/NAME`` and schemas ``preview_NAME__<schema>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hangar_common.bundles.previews import (
    preview_dag_id,
    preview_from_fileloc,
    preview_of,
    preview_tag,
)

if TYPE_CHECKING:
    from airflow.sdk import DAG


def apply_preview_identity(dag: DAG) -> str | None:
    """Rename, tag and pause ``dag`` when its file belongs to a preview; the preview's name."""
    name = preview_from_fileloc(dag.fileloc or "")
    if name is None:
        return None
    if preview_of(dag.dag_id) != name:
        dag.dag_id = preview_dag_id(dag.dag_id, name)
    dag.tags = {*dag.tags, preview_tag(name)}
    dag.is_paused_upon_creation = True
    return name


def current_preview() -> str | None:
    """The preview of the task running in this process; None outside a task or for a deployed
    DAG's task."""
    try:
        from airflow.sdk import get_current_context

        context = get_current_context()
    except Exception:  # noqa: BLE001 - no task context here (parse time, a CLI, a unit test)
        return None
    dag = context.get("dag")
    return preview_of(dag.dag_id) if dag is not None else None
