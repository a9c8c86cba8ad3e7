from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from benchmarks.report import chosen_sides, percentile, publish


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 11.0
    assert percentile(values, 0.95) == 19.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([5.0, 1.0, 3.0], 1.0) == 5.0  # unsorted input


def test_sides_are_checked_and_keep_their_order() -> None:
    parser = argparse.ArgumentParser()
    assert chosen_sides(parser, "stock,hangar") == ["stock", "hangar"]
    assert chosen_sides(parser, "hangar,") == ["hangar"]
    for bad in ("", "hangar,airflow"):
        with pytest.raises(SystemExit):
            chosen_sides(parser, bad)


def test_publish_prints_the_table_then_the_json_it_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {"summary": {"hangar": {"x": 1.0}}}
    publish("the table", document, tmp_path / "figures.json")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "the table"
    assert json.loads(out[-1]) == document == json.loads((tmp_path / "figures.json").read_text())
