from __future__ import annotations

from hangar_common.dagtest.metadata_db import TEMPLATE_PREFIX, airflow_version, template_name


def test_one_template_per_airflow_version() -> None:
    assert template_name("3.3.2") == f"{TEMPLATE_PREFIX}3_3_2"
    assert template_name("3.4.0rc1") == f"{TEMPLATE_PREFIX}3_4_0rc1"
    assert template_name(airflow_version()).startswith(TEMPLATE_PREFIX)
