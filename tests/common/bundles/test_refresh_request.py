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


class _Api:
    """The two calls request_refresh makes: a filtered, paged DAG list and a reparse."""

    def __init__(self, dags: list[dict[str, Any]]) -> None:
        self.dags = dags
        self.asked: list[str] = []
        self.pages: list[dict[str, Any]] = []

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        assert path == "dags"
        self.pages.append(params)
        mine = [d for d in self.dags if d["bundle_name"] == params["bundle_name"]]
        offset, limit = params["offset"], params["limit"]
        return {"dags": mine[offset : offset + limit], "total_entries": len(mine)}

    def request_reparse(self, file_token: str) -> None:
        self.asked.append(file_token)


def test_the_bundle_s_dags_are_listed_by_the_api_page_by_page() -> None:
    from hangar_common.bundles import refresh_request

    dags = [_dag(f"d{n}", f"dags/d{n}.py", token=f"t{n}") for n in range(250)]
    dags.append({**_dag("other", "dags/kept.py", token="other"), "bundle_name": "other"})
    api = _Api(dags)
    asked = refresh_request.request_refresh(api, bundle_name="b", dag_files={"dags/d7.py"})  # type: ignore[arg-type]
    assert asked == "dags/d7.py" and api.asked == ["t7"]
    assert [page["offset"] for page in api.pages] == [0, 100, 200]
    assert {page["bundle_name"] for page in api.pages} == {"b"}
