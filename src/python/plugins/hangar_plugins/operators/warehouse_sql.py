"""SQL against the warehouse in a schema chosen at run time (a templated ``search_path``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

from hangar_common.bundles.previews import preview_schema
from hangar_plugins.hooks.warehouse import WarehouseHook, checked_identifier
from hangar_plugins.previews import current_preview

if TYPE_CHECKING:
    from airflow.sdk import Context


class WarehouseSQLOperator(SQLExecuteQueryOperator):
    """:class:`SQLExecuteQueryOperator` on the ``warehouse`` connection in ``search_path``.

    ``search_path`` is templated like ``sql`` (e.g. ``"{{ var.value.env }}_marts, public"``),
    so one DAG runs against per-environment schemas. It is passed as a connection option
    (``-c search_path=...``): it holds for this task's connection only, and ``sql`` runs as
    written (results keep the provider operator's shape).

    A preview's run (``./hangar deploy --preview NAME``) searches ``preview_NAME__<schema>``
    instead, created when missing: unqualified names in ``sql`` stay off production.

    :param search_path: comma-separated schema names, first one searched first.
    """

    template_fields: Sequence[str] = (*SQLExecuteQueryOperator.template_fields, "search_path")

    def __init__(self, *, search_path: str, conn_id: str = "warehouse", **kwargs: Any) -> None:
        super().__init__(conn_id=conn_id, **kwargs)
        self.search_path = search_path

    def execute(self, context: Context) -> Any:
        schemas = [part.strip() for part in str(self.search_path).split(",") if part.strip()]
        if not schemas:
            raise ValueError(f"search_path {self.search_path!r} names no schema")
        checked = [checked_identifier(s, what="schema") for s in schemas]
        preview = current_preview()
        if preview:
            # A preview's run writes to its own schemas: unqualified names in ``sql`` land there.
            checked = [preview_schema(schema, preview) for schema in checked]
            WarehouseHook(postgres_conn_id=self.conn_id).run(
                [f'CREATE SCHEMA IF NOT EXISTS "{schema}"' for schema in checked]
            )
        self.hook_params = {
            **(self.hook_params or {}),
            "options": f"-c search_path={','.join(checked)}",
        }
        return super().execute(context)
