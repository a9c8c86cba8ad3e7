from __future__ import annotations

from pathlib import Path

from hangar_plugins.catchup_check import calls_missing_catchup, dag_calls

SOURCE = """
from airflow.sdk import DAG, dag
import airflow.sdk as sdk

@dag(schedule="@daily", catchup=False)
def decorated_ok(): ...

@dag(dag_id="renamed", schedule="@daily")
def decorated_missing(): ...

@dag
def bare(): ...

with DAG("context_ok", schedule="@daily", catchup=True):
    pass

sdk.DAG(dag_id="attribute_missing", schedule="@hourly")

for n in range(3):
    DAG(f"loop_{n}", schedule="@daily", **{"catchup": False})
"""


def test_every_constructor_form_is_found_with_its_id_and_catchup() -> None:
    assert [(c.dag_id, c.line, c.names_catchup) for c in dag_calls(SOURCE)] == [
        ("decorated_ok", 5, True),
        ("renamed", 8, False),
        ("bare", 11, False),
        ("context_ok", 14, True),
        ("attribute_missing", 17, False),
        (None, 20, True),  # a ** splat may carry catchup: counted as deliberate
    ]


def test_missing_catchup_is_reported_for_the_dag_built_by_that_call(tmp_path: Path) -> None:
    path = tmp_path / "dags.py"
    path.write_text(SOURCE)
    assert calls_missing_catchup(str(path), "renamed") == [8]
    assert calls_missing_catchup(str(path), "decorated_ok") == []
    assert calls_missing_catchup(str(path), "attribute_missing") == [17]
    # Computed ids fall back to the calls whose id is computed.
    assert calls_missing_catchup(str(path), "loop_1") == []


def test_files_without_a_visible_constructor_give_no_verdict(tmp_path: Path) -> None:
    path = tmp_path / "factory_user.py"
    path.write_text("from pipelines import build\nbuild('x')\n")
    assert calls_missing_catchup(str(path), "x") == []
    assert calls_missing_catchup(str(tmp_path / "missing.py"), "x") == []
