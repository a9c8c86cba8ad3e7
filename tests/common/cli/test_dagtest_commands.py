from __future__ import annotations

import argparse
from datetime import date

import pytest

from hangar_common.cli.dagtest_commands import day
from hangar_common.cli.main import build_parser


def test_test_takes_a_dag_id_and_an_optional_day() -> None:
    args = build_parser().parse_args(["test", "ingest_sales", "--date", "2026-11-20"])
    assert (args.dag_id, args.date) == ("ingest_sales", date(2026, 11, 20))
    assert build_parser().parse_args(["test", "hello_world_1"]).date is None


def test_a_date_that_is_not_a_day_is_refused_naming_the_format() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="YYYY-MM-DD"):
        day("20/11/2026")
