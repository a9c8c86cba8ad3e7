"""Stream a CSV into typed Arrow batches, sending malformed rows to a quarantine with reasons.

pyarrow's streaming reader parses block by block (memory: one block and one batch, whatever
the file size). Every column is read as text first, then checked and cast per batch with
vectorised compute functions, so one bad value costs its row, not the file. Rows are
numbered by their line in the file (1 = header); values with embedded newlines are rejected.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from hangar_plugins.ingestion.datasets import Column, Dataset

if TYPE_CHECKING:
    import pyarrow as pa

_INT = r"^\s*[-+]?\d{1,18}\s*$"
_FLOAT = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")
DEFAULT_FORMATS = {"date": "%Y-%m-%d", "timestamp": "%Y-%m-%dT%H:%M:%S"}


class MalformedHeader(ValueError):
    """The CSV's header does not name the dataset's columns."""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str
    record: str


@dataclass
class ConversionReport:
    rows_total: int = 0
    rows_good: int = 0
    bad_rows: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def bad_share(self) -> float:
        return self.bad_rows / self.rows_total if self.rows_total else 0.0


def arrow_schema(dataset: Dataset) -> pa.Schema:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema(
        [pa.field(c.name, types[c.type], nullable=not c.required) for c in dataset.columns]
    )


def _check_and_cast(column: Column, values: pa.Array) -> tuple[pa.Array, pa.Array, Any]:
    """(typed values, mask of invalid values, reason or reasons per row) for one text column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)
    if column.type == "string":
        typed = values
        invalid = pa.array([False] * len(values))
        reason = ""
    elif column.type in ("int", "float"):
        valid = pc.match_substring_regex(values, _INT if column.type == "int" else _FLOAT)
        invalid = pc.and_(pc.invert(valid), pc.invert(empty))
        cleaned = pc.if_else(valid, pc.utf8_trim_whitespace(values), pa.scalar(None, pa.string()))
        typed = pc.cast(cleaned, pa.int64() if column.type == "int" else pa.float64())
        reason = f"not an {column.type}" if column.type == "int" else "not a float"
    elif column.type == "bool":
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
        is_true = pc.is_in(lowered, value_set=pa.array(_TRUE))
        is_false = pc.is_in(lowered, value_set=pa.array(_FALSE))
        invalid = pc.and_(pc.invert(pc.or_(is_true, is_false)), pc.invert(empty))
        typed = pc.if_else(pc.or_(is_true, is_false), is_true, pa.scalar(None, pa.bool_()))
        reason = "not a boolean"
    else:
        fmt = column.format or DEFAULT_FORMATS[column.type]
        trimmed = pc.utf8_trim_whitespace(values)
        parsed = pc.strptime(trimmed, format=fmt, unit="us", error_is_null=True)
        # Arrow's strptime rolls impossible dates over (2026-02-30 -> March 2): a value is valid
        # only if formatting it back gives the text read.
        seconds = pc.cast(parsed, pa.timestamp("s"), safe=False)  # %S without a fraction
        canonical = pc.equal(pc.strftime(seconds, format=fmt), trimmed)
        invalid = pc.and_(pc.invert(pc.fill_null(canonical, False)), pc.invert(empty))
        parsed = pc.if_else(pc.fill_null(canonical, False), parsed, pa.scalar(None, parsed.type))
        if column.type == "date":
            typed = pc.cast(pc.cast(parsed, pa.timestamp("us")), pa.date32())
        else:
            typed = pc.assume_timezone(parsed, "UTC")
        reason = f"not a {column.type} in format {fmt}"
    typed = pc.if_else(empty, pa.scalar(None, typed.type), typed)
    if column.required:
        # An empty required value is "missing", whatever the type check said.
        missing_or_invalid = pc.or_(invalid, empty)
        reasons = pc.if_else(empty, "required value missing", reason or "invalid")
        return typed, missing_or_invalid, reasons
    return typed, invalid, reason


def convert_csv(
    source: IO[bytes],
    dataset: Dataset,
    *,
    on_batch: Callable[[pa.RecordBatch], None],
    on_bad_row: Callable[[BadRow], None],
    block_size: int = 1 << 20,
) -> ConversionReport:
    """Read ``source`` (CSV with a header naming ``dataset``'s columns) and hand each batch of
    valid, typed rows to ``on_batch`` and each malformed row to ``on_bad_row``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    report = ConversionReport()
    skipped_lines: list[int] = []  # lines the parser rejected, in order
    names = dataset.column_names
    schema = arrow_schema(dataset)

    def structural(row: Any) -> str:
        line = int(row.number) if row.number is not None else -1
        skipped_lines.append(line)
        bad = BadRow(
            line,
            f"expected {row.expected_columns} columns, got {row.actual_columns}",
            row.text,
        )
        _count(report, bad)
        on_bad_row(bad)
        return "skip"

    try:
        reader = csv.open_csv(
            source,
            # Single-threaded: the only mode in which rejected rows carry their line number.
            read_options=csv.ReadOptions(block_size=block_size, use_threads=False),
            parse_options=csv.ParseOptions(
                invalid_row_handler=structural, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                include_columns=names,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise MalformedHeader(
            f"dataset {dataset.name}: cannot read the CSV header: {exc}"
        ) from None
    except KeyError as exc:
        raise MalformedHeader(f"dataset {dataset.name}: header lacks column {exc}") from None

    emitted = 0  # data rows handed out so far (good or bad), excluding parser-skipped ones
    for batch in _batches(reader, dataset):
        typed_columns, masks, reasons = [], [], []
        for column in dataset.columns:
            typed, invalid, reason = _check_and_cast(column, batch.column(column.name))
            typed_columns.append(typed)
            masks.append(invalid)
            reasons.append(reason)
        any_bad = masks[0]
        for mask in masks[1:]:
            any_bad = pc.or_(any_bad, mask)
        bad_indices = pc.indices_nonzero(any_bad).to_pylist()
        for index in bad_indices:
            why = [
                f"{column.name}: {_reason_at(reason, index)} "
                f"({batch.column(column.name)[index].as_py()!r})"
                for column, mask, reason in zip(dataset.columns, masks, reasons, strict=True)
                if mask[index].as_py()
            ]
            record = json.dumps({n: batch.column(n)[index].as_py() for n in names})
            bad = BadRow(_line_of(emitted + index, skipped_lines), "; ".join(why), record)
            _count(report, bad)
            on_bad_row(bad)
        good = pa.RecordBatch.from_arrays(typed_columns, schema=schema)
        if bad_indices:
            good = good.filter(pc.invert(any_bad))
        emitted += batch.num_rows
        report.rows_good += good.num_rows
        if good.num_rows:
            on_batch(good)
    report.rows_total = report.rows_good + report.bad_rows
    return report


def _reason_at(reason: Any, index: int) -> str:
    return reason if isinstance(reason, str) else str(reason[index].as_py())


def _batches(reader: Any, dataset: Dataset) -> Iterator[pa.RecordBatch]:
    missing = [n for n in dataset.column_names if n not in reader.schema.names]
    if missing:
        raise MalformedHeader(f"dataset {dataset.name}: header lacks column(s) {missing}")
    yield from reader


def _line_of(row_index: int, skipped_lines: list[int]) -> int:
    """File line of the ``row_index``-th parsed data row (0-based), given the skipped lines."""
    line = row_index + 2  # line 1 is the header
    while True:
        shifted = row_index + 2 + bisect.bisect_right(skipped_lines, line)
        if shifted == line:
            return line
        line = shifted


def _count(report: ConversionReport, bad: BadRow) -> None:
    report.bad_rows += 1
    kind = bad.reason.split(" (")[0] if bad.reason.startswith("expected") else "invalid value"
    report.reasons[kind] = report.reasons.get(kind, 0) + 1
