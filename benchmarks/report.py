"""What every side-by-side benchmark shares: its sides, percentiles, the table and the JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SIDES = ("hangar", "stock")

# (key in a side's summary, label, format of its value)
Row = tuple[str, str, str]


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank value at ``share`` (0.95: p95) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def chosen_sides(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """The sides ``--sides`` names, in order; a parser error for anything else."""
    sides = [side for side in text.split(",") if side]
    if not sides or set(sides) - set(SIDES):
        parser.error(f"--sides: choose from {', '.join(SIDES)}")
    return sides


def table(summary: Mapping[str, Mapping[str, float]], rows: Sequence[Row]) -> str:
    """One line per row: Hangar, stock and their ratio ("-" where a side was not measured)."""
    lines = [f"{'figure':<28} {'hangar':>9} {'stock':>9} {'hangar/stock':>13}"]
    for key, label, fmt in rows:
        hangar = summary.get("hangar", {}).get(key)
        stock = summary.get("stock", {}).get(key)
        ratio = f"{hangar / stock:.2f}" if hangar is not None and stock else "-"
        cells = [fmt.format(v) if v is not None else "-" for v in (hangar, stock)]
        lines.append(f"{label:<28} {cells[0]:>9} {cells[1]:>9} {ratio:>13}")
    return "\n".join(lines)


def publish(text_table: str, document: Mapping[str, Any], json_file: Path | None) -> None:
    """Print the table, then the figures as JSON on the last line (and into ``json_file``)."""
    print(text_table)
    if json_file:
        json_file.write_text(json.dumps(document, indent=2))
    print(json.dumps(document))
