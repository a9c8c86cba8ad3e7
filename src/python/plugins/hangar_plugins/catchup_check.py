"""Whether a DAG file passes ``catchup`` explicitly where it builds a scheduled DAG.

Airflow's DAG object keeps only the value of ``catchup``, not whether the author chose it, so
the rule "a schedule needs a deliberate catchup" is checked on the DAG file's source: the
``DAG(...)`` / ``@dag(...)`` call that builds the DAG must name ``catchup``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DAG_CONSTRUCTORS = frozenset({"DAG", "dag"})


@dataclass(frozen=True)
class DagCall:
    """One ``DAG(...)``/``@dag`` in a file: the id it builds (None when computed) and its line."""

    dag_id: str | None
    line: int
    names_catchup: bool


def _constructor_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal_id(call: ast.Call) -> str | None:
    candidates = [kw.value for kw in call.keywords if kw.arg == "dag_id"] + call.args[:1]
    for value in candidates:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return None


def _names_catchup(call: ast.Call) -> bool:
    # ``**kwargs`` may carry catchup: a splat counts as deliberate (it cannot be seen here).
    return any(kw.arg in ("catchup", None) for kw in call.keywords)


def dag_calls(source: str) -> list[DagCall]:
    """Every DAG constructor call and ``@dag`` decorator in ``source``."""
    found: list[DagCall] = []
    decorator_calls: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                if _constructor_name(deco) not in DAG_CONSTRUCTORS and not (
                    isinstance(deco, ast.Call) and _constructor_name(deco.func) == "dag"
                ):
                    continue
                if isinstance(deco, ast.Call):
                    decorator_calls.add(id(deco))
                    dag_id = _literal_id(deco) or node.name
                    found.append(DagCall(dag_id, deco.lineno, _names_catchup(deco)))
                elif _constructor_name(deco) == "dag":  # bare ``@dag``
                    found.append(DagCall(node.name, deco.lineno, False))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and id(node) not in decorator_calls
            and _constructor_name(node.func) == "DAG"
        ):
            found.append(DagCall(_literal_id(node), node.lineno, _names_catchup(node)))
    return sorted(found, key=lambda call: call.line)


@lru_cache(maxsize=256)
def _calls_of_file(path: str, mtime_ns: int) -> tuple[DagCall, ...]:
    return tuple(dag_calls(Path(path).read_text(encoding="utf-8")))


def calls_missing_catchup(fileloc: str, dag_id: str) -> list[int]:
    """Lines in ``fileloc`` where the call building ``dag_id`` leaves ``catchup`` unstated.

    The calls considered are those naming ``dag_id`` literally; when none does (ids computed in
    a loop), every call whose id is computed. A file that builds its DAGs elsewhere (a factory
    in another module) yields no verdict: an empty list.
    """
    path = Path(fileloc)
    try:
        calls = _calls_of_file(str(path), path.stat().st_mtime_ns)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    matching = [call for call in calls if call.dag_id == dag_id] or [
        call for call in calls if call.dag_id is None
    ]
    return [call.line for call in matching if not call.names_catchup]
