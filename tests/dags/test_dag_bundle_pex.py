"""The DAG bundle PEX holds the DAG files, their config and the first-party code they import."""

from __future__ import annotations

from pathlib import Path

import hangar_dags
from tests.support.pex import bundled_distributions, first_party_files, packaged_pex

BUNDLE = "src.python.dags/dag-bundle.pex"
DAG_FOLDER = Path(hangar_dags.__file__).parent


def test_bundle_holds_every_dag_file_and_the_common_code_they_import() -> None:
    files = first_party_files(packaged_pex(BUNDLE))
    dag_files = {str(path.relative_to(DAG_FOLDER.parent)) for path in DAG_FOLDER.rglob("*.py")}
    assert dag_files <= files  # generated DAG files included
    assert {"hangar_dags/config/datasets/sales.yaml", "hangar_dags/config/providers.yaml"} <= files
    assert {"hangar_plugins/pipelines/smoke.py", "hangar_plugins/defaults.py"} <= files
    assert "hangar_plugins/ingestion/tasks.py" in files
    assert {path.split("/")[0] for path in files} == {
        "hangar_dags",
        "hangar_common",
        "hangar_plugins",
        ".airflowignore",
    }


def test_bundle_carries_no_third_party_package() -> None:
    assert bundled_distributions(packaged_pex(BUNDLE)) == set()
