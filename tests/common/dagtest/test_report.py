from __future__ import annotations

from pathlib import Path

from hangar_common.dagtest.report import (
    DagTestReport,
    Footprint,
    ObjectChange,
    RunResult,
    TableChange,
    TaskResult,
    render,
)

RUN = RunResult(
    dag_id="ingest_sales",
    state="failed",
    run_id="manual__2026-11-21T02:00:00+00:00",
    logical_date="2026-11-21 02:00:00+00:00",
    data_interval=("2026-11-20 02:00:00+00:00", "2026-11-21 02:00:00+00:00"),
    tasks=(
        TaskResult(task_id="download_source", state="success", seconds=0.4, tries=1),
        TaskResult(task_id="convert_to_parquet", state="failed", seconds=0.1, tries=1),
        TaskResult(task_id="load_warehouse", state="upstream_failed", tries=0),
    ),
    environment=("created: connection warehouse",),
)


def test_the_json_the_run_writes_reads_back_the_same() -> None:
    assert RunResult.from_json(RUN.to_json()) == RUN


def test_logs_give_each_task_its_lines_and_a_failure_its_exception() -> None:
    sections = {
        ("download_source", -1): ["[info] fetched 59 kB"],
        ("convert_to_parquet", -1): [
            "Traceback (most recent call last):",
            "  File ...",
            "ValueError: 50 of 100 rows are malformed",
            "[info] done",
        ],
    }
    run = RUN.with_logs(sections)
    assert run.tasks[0].log_tail == ("[info] fetched 59 kB",) and run.tasks[0].error == ""
    assert run.tasks[1].error == "ValueError: 50 of 100 rows are malformed"
    assert run.tasks[2].log_tail == ()


def test_the_report_shows_outcome_tasks_failure_and_what_was_written() -> None:
    report = DagTestReport(
        run=RUN.with_logs({("convert_to_parquet", -1): ["ValueError: too many bad rows"]}),
        footprint=Footprint(
            warehouse="wh on 127.0.0.1:5432",
            lake="s3://hangar-lake",
            tables=(TableChange(table="raw.sales", before=None, after=990),),
            tables_unchanged=2,
            objects=(
                ObjectChange(key="raw/sales/x/source.csv", change="added", size=59_100),
                ObjectChange(key="parquet/sales/x/part-0.parquet", change="changed", size=812),
            ),
        ),
        log_file=Path("/state/dagtest/ingest_sales/run.log"),
        seconds=7.25,
    )
    text = render(report)
    assert report.exit_code == 1
    assert text.splitlines()[0] == "ingest_sales: FAILED in 7.2 s"
    assert "interval 2026-11-20 02:00:00+00:00 → 2026-11-21 02:00:00+00:00" in text
    assert "  convert_to_parquet  failed              0.10  1" in text
    assert "convert_to_parquet failed: ValueError: too many bad rows" in text
    assert "    | ValueError: too many bad rows" in text
    assert "raw.sales: - → 990 rows (+990)" in text
    assert "(2 other tables unchanged)" in text
    assert "+ raw/sales/x/source.csv (59.1 kB)" in text
    assert "~ parquet/sales/x/part-0.parquet (812 B)" in text
    assert text.endswith("full log: /state/dagtest/ingest_sales/run.log")


def test_a_dag_that_did_not_load_shows_why_and_no_task_table() -> None:
    failed = RunResult(dag_id="broken", state="import_error", message="broken.py:\nNameError: x")
    text = render(DagTestReport(run=failed))
    assert "NameError: x" in text and "task " not in text
    assert DagTestReport(run=failed).exit_code == 1


def test_parts_that_could_not_be_looked_at_are_named_not_shown_empty() -> None:
    footprint = Footprint(
        warehouse="wh", lake="s3://lake", warehouse_seen=False, problems=("the warehouse: down",)
    )
    run = RunResult(dag_id="d", state="success", run_id="r")
    text = render(DagTestReport(run=run, footprint=footprint))
    assert "warehouse wh" not in text and "not looked at: the warehouse: down" in text
    assert "lake s3://lake:\n    no object added or changed" in text
