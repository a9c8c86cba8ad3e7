from __future__ import annotations

from hangar_common.dagtest.metadata_db import RUN_PREFIX
from hangar_common.dagtest.services import own_database_names


def test_databases_on_the_stack_s_server_get_names_of_the_run_s_own() -> None:
    names = own_database_names({})
    warehouse, source = names["HANGAR_WAREHOUSE_DB"], names["HANGAR_SOURCE_DB"]
    assert warehouse.startswith(RUN_PREFIX) and warehouse.endswith("_warehouse")
    assert source == warehouse.removesuffix("_warehouse") + "_source"
    assert own_database_names({})["HANGAR_WAREHOUSE_DB"] != warehouse  # one pair per run


def test_a_configured_database_keeps_its_name() -> None:
    names = own_database_names(
        {"HANGAR_WAREHOUSE_HOST": "dw.internal", "HANGAR_WAREHOUSE_DB": "dw"}
    )
    assert list(names) == ["HANGAR_SOURCE_DB"]
