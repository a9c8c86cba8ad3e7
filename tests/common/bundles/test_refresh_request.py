from __future__ import annotations

from typing import Any

from hangar_common.bundles.refresh_request import choose_file


def _dag(dag_id: str, fileloc: str, token: str | None = "t") -> dict[str, Any]:
    return {"dag_id": dag_id, "relative_fileloc": fileloc, "file_token": token, "bundle_name": "b"}


def test_a_file_the_new_version_still_has_is_asked_for() -> None:
    dags = [_dag("gone", "dags/removed.py"), _dag("kept", "dags/kept.py")]
    assert choose_file(dags, {"dags/kept.py", "dags/new.py"}) == dags[1]


def test_any_known_file_when_the_new_version_has_none_of_them() -> None:
    dags = [_dag("gone", "dags/removed.py")]
    assert choose_file(dags, {"dags/new.py"}) == dags[0]


def test_nothing_to_ask_for_when_no_dag_of_the_bundle_is_known() -> None:
    assert choose_file([], {"dags/new.py"}) is None
    assert choose_file([_dag("x", "dags/x.py", token=None)], {"dags/x.py"}) is None
