"""``benchmarks:deploy --quick`` starts Hangar's Celery stack (default profile, bundles from the
store) and stock Airflow with ``S3DagBundle`` for real, deploys to both and measures: the suite
still runs end to end. Speed is not asserted; that every figure was measured is."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.deploy_benchmark import main


def test_quick_mode_deploys_to_both_sides_and_counts_idle_requests(tmp_path: Path) -> None:
    figures_file = tmp_path / "figures.json"
    assert main(["--quick", "--json", str(figures_file)]) == 0
    document = json.loads(figures_file.read_text())
    rounds = {r["side"]: r for r in document["rounds"]}
    assert list(rounds) == ["hangar", "stock"]  # A then B
    assert len(rounds["hangar"]["deploy_to_visible_s"]) == 2
    assert len(rounds["stock"]["deploy_to_visible_s"]) == 1
    for figures in rounds.values():
        assert all(0 < seconds < 300 for seconds in figures["deploy_to_visible_s"])
        # Both poll their bucket while idle (Hangar its pointer, stock a listing).
        assert figures["idle_requests_per_s"] > 0
    assert document["summary"]["hangar"]["refresh_interval_s"] == 5  # --quick: both poll at 5 s
