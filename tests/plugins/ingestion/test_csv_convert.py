from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangar_plugins.ingestion.csv_convert import (
    BadRow,
    ConversionReport,
    MalformedHeader,
    _line_of,
    arrow_schema,
    convert_csv,
)
from hangar_plugins.ingestion.datasets import parse_datasets

DATASET = parse_datasets(
    {
        "datasets": {
            "s": {
                "url": "u",
                "table": "t",
                "keys": ["id"],
                "schedule": "@daily",
                "start_date": "2026-01-01",
                "columns": [
                    {"name": "id", "type": "int", "required": True},
                    {"name": "day", "type": "date"},
                    {"name": "at", "type": "timestamp"},
                    {"name": "amount", "type": "float"},
                    {"name": "ok", "type": "bool"},
                    {"name": "note"},
                ],
            }
        }
    }
)["s"]


def _convert(
    text: str, block_size: int = 1 << 20
) -> tuple[list[dict], list[BadRow], ConversionReport]:
    good: list[pa.RecordBatch] = []
    bad: list[BadRow] = []
    report = convert_csv(
        io.BytesIO(text.encode()),
        DATASET,
        on_batch=good.append,
        on_bad_row=bad.append,
        block_size=block_size,
    )
    return [row for batch in good for row in batch.to_pylist()], bad, report


def test_valid_rows_are_typed_and_bad_ones_quarantined_with_line_and_reason() -> None:
    rows, bad, report = _convert(
        "id,day,at,amount,ok,note\n"
        "1,2026-11-20,2026-11-20T10:00:00,1.5,true,a\n"  # line 2
        "2,2026-02-30,2026-11-20T10:00:00,x,maybe,b\n"  # line 3: bad date, float, bool
        "3,2026-11-20\n"  # line 4: too few columns
        ",2026-11-20,,3,false,\n"  # line 5: required id missing
        '5,,,4e2,0,"q,uoted"\n'  # line 6: optional values empty -> null
    )
    assert rows == [
        {
            "id": 1,
            "day": dt.date(2026, 11, 20),
            "at": dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
            "amount": 1.5,
            "ok": True,
            "note": "a",
        },
        {"id": 5, "day": None, "at": None, "amount": 400.0, "ok": False, "note": "q,uoted"},
    ]
    by_line = {row.line: row.reason for row in bad}
    assert by_line == {
        3: "day: not a date in format %Y-%m-%d ('2026-02-30'); amount: not a float ('x'); "
        "ok: not a boolean ('maybe')",
        4: "expected 6 columns, got 2",
        5: "id: required value missing ('')",
    }
    assert (report.rows_total, report.rows_good, report.bad_rows) == (5, 2, 3)
    assert report.bad_share == pytest.approx(0.6)


def test_line_numbers_stay_right_across_many_small_blocks() -> None:
    lines = ["id,day,at,amount,ok,note"]
    for n in range(1, 2001):
        lines.append(f"{n},,,1,true,x" if n % 150 else f"{n},,")  # every 150th: too short
        if n % 333 == 0:
            lines.append(f"{n},,,notanumber,true,x")
    _rows, bad, report = _convert("\n".join(lines) + "\n", block_size=4096)
    assert sorted(row.line for row in bad) == [
        index + 1 for index, line in enumerate(lines) if line.endswith(",,") or "notanumber" in line
    ]
    assert report.rows_total == len(lines) - 1


def test_a_header_without_the_dataset_columns_is_refused() -> None:
    with pytest.raises(MalformedHeader, match="dataset s"):
        _convert("id,day\n1,2026-01-01\n")


def test_schema_marks_required_columns_not_nullable() -> None:
    schema = arrow_schema(DATASET)
    assert not schema.field("id").nullable and schema.field("note").nullable


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50), max_size=20, unique=True))
def test_line_of_skips_parser_rejected_lines(skipped: list[int]) -> None:
    skipped_lines = sorted(line + 1 for line in skipped)  # data lines start at 2
    data_lines = [line for line in range(2, 80) if line not in skipped_lines]
    for index, line in enumerate(data_lines[:40]):
        assert _line_of(index, skipped_lines) == line
