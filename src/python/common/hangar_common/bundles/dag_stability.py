"""The version-inflation guard: a DAG must serialize the same way at every parse.

Airflow stores a new DAG version whenever a parse's serialized form hashes differently from the
last one; a DAG with a parse-time value (``datetime.now()`` in a task argument, a random number, a
set's order) mints a version at every parse and its version table grows without bound. Two
parses of the same bundle in separate processes (:func:`hangar_common.bundles.dag_snapshots.
parse_bundles`) are compared on exactly what Airflow hashes; each difference names the DAG, the
task and the field, both values and the likely cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hangar_common.bundles.dag_snapshots import BundleSnapshot

# Keys of Airflow's encoding (``{"__type": ..., "__var": ...}``): never part of a field's name.
ENCODING_KEYS = frozenset({"__var", "__type"})
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# Epoch seconds in 2000..2100: how Airflow serializes a datetime.
EPOCH_RANGE = (946_684_800.0, 4_102_444_800.0)
MAX_SHOWN = 60


@dataclass(frozen=True, kw_only=True)
class Instability:
    dag_id: str
    task_id: str | None  # None: a DAG-level field
    field: str
    first: Any
    second: Any
    cause: str

    def describe(self) -> str:
        where = f"task {self.task_id}, " if self.task_id else ""
        return (
            f"DAG {self.dag_id}: {where}field {self.field} differs between two parses "
            f"({_short(self.first)} vs {_short(self.second)}); likely cause: {self.cause}"
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def differences(
    first: Any, second: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """Every leaf (path, first value, second value) where two JSON values differ."""
    if isinstance(first, dict) and isinstance(second, dict):
        for key in sorted(set(first) | set(second)):
            yield from differences(first.get(key), second.get(key), (*path, key))
    elif (
        isinstance(first, list)
        and isinstance(second, list)
        and len(first) == len(second)
        and sorted(map(repr, first)) != sorted(map(repr, second))
    ):
        # Same length, other elements: descend to the element that changed. (Same elements in
        # another order stay one difference: the list's order is the cause.)
        for index, (one, two) in enumerate(zip(first, second, strict=True)):
            yield from differences(one, two, (*path, index))
    elif first != second:
        yield path, first, second


def locate(serialized: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str | None, str]:
    """(task id or None, field name) of a difference's path in a serialized DAG."""
    task_id = None
    rest = list(path)
    if rest[:1] == ["dag"]:
        rest = rest[1:]
    if rest[:1] == ["tasks"] and len(rest) > 1 and isinstance(rest[1], int):
        try:
            task_id = serialized["dag"]["tasks"][rest[1]]["__var"]["task_id"]
        except (KeyError, IndexError, TypeError):
            task_id = f"#{rest[1]}"
        rest = rest[2:]
    names = [str(part) for part in rest if part not in ENCODING_KEYS]
    field = ".".join(name if not name.isdigit() else f"[{name}]" for name in names)
    return task_id, field.replace(".[", "[") or "(whole value)"


def _is_time(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EPOCH_RANGE[0] <= float(value) <= EPOCH_RANGE[1]
    return isinstance(value, str) and bool(ISO_TIME.search(value))


def _same_elements(first: Any, second: Any) -> bool:
    """The same items (or characters) in another order; any item type (dicts included)."""
    if isinstance(first, str) and isinstance(second, str):
        return sorted(first) == sorted(second)
    if isinstance(first, list) and isinstance(second, list):
        return sorted(map(repr, first)) == sorted(map(repr, second))
    return False


def likely_cause(first: Any, second: Any, hints: list[str]) -> str:
    """A guess from the two values, plus what Airflow's static check found in the file."""
    if _is_time(first) and _is_time(second):
        cause = (
            "the time at parse time (datetime.now(), pendulum.now(), time.time()): use a fixed "
            "date or a template such as {{ data_interval_start }}"
        )
    elif isinstance(first, str) and UUID.search(first) and isinstance(second, str):
        cause = "a uuid made at parse time (uuid4()): make it inside the task"
    elif _same_elements(first, second):
        cause = (
            "an unordered value (a set, or os.listdir/glob output) turned into a list or text: "
            "sort it"
        )
    else:
        cause = (
            "a random or parse-time value (random, an environment, file or network read at "
            "parse time): compute it inside the task"
        )
    if hints:
        cause += f" (Airflow's static check: {'; '.join(hints)})"
    return cause


def compare_parses(first: BundleSnapshot, second: BundleSnapshot) -> list[Instability]:
    """Every field that differs between two parses of one bundle, DAG by DAG."""
    found = []
    for dag_id in sorted(set(first.dags) | set(second.dags)):
        if dag_id not in first.dags or dag_id not in second.dags:
            found.append(
                Instability(
                    dag_id=dag_id,
                    task_id=None,
                    field="(the DAG itself)",
                    first=dag_id in first.dags,
                    second=dag_id in second.dags,
                    cause="the DAG exists in one parse only: whether it is built depends on a "
                    "parse-time value",
                )
            )
            continue
        if first.hashes.get(dag_id) == second.hashes.get(dag_id):
            continue
        hints = first.static_findings.get(first.files.get(dag_id, ""), [])
        data = first.dags[dag_id]
        for path, one, two in differences(data, second.dags[dag_id]):
            task_id, field = locate(data, path)
            found.append(
                Instability(
                    dag_id=dag_id,
                    task_id=task_id,
                    field=field,
                    first=one,
                    second=two,
                    cause=likely_cause(one, two, hints),
                )
            )
    return found


def refusal_lines(found: list[Instability]) -> list[str]:
    """What deploy prints when it refuses: one line per field, then what to do."""
    dags = sorted({item.dag_id for item in found})
    return [
        f"refused: {'these DAGs serialize' if len(dags) > 1 else 'this DAG serializes'} "
        f"differently at each parse (each parse would store a new DAG version): "
        f"{', '.join(dags)}",
        *(f"  {item.describe()}" for item in found),
    ]
