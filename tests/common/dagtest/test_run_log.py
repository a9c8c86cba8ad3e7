from __future__ import annotations

from hangar_common.dagtest.run_log import last_exception, task_sections

LOG = """\
2026-12-07T03:19:08.2Z [info     ] creating dag run               [airflow.serialization] loc=dag.py:615
2026-12-07T03:19:08.2Z [info     ] [DAG TEST] starting task_id=first map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1501
2026-12-07T03:19:08.2Z [info     ] [DAG TEST] running task <TaskInstance: broken.first> [airflow.sdk.definitions.dag] loc=dag.py:1504
2026-12-07T03:19:08.8Z [warning  ] Using `httpx` with `starlette.testclient` is deprecated [py.warnings] category=X
2026-12-07T03:19:14.1Z [info     ] Task started                   [airflow.api_fastapi.execution_api.routes.task_instances] loc=task_instances.py:226
2026-12-07T03:19:14.3Z [info     ] ::endgroup::                   [task] loc=task_runner.py:2232
printing from first
2026-12-07T03:19:14.3Z [info     ] Done. Returned value was: 1    [airflow.task.operators.python] loc=python.py:233
2026-12-07T03:19:14.3Z [info     ] Pushing xcom                   [task] loc=task_runner.py:2280 ti=RuntimeTaskInstance(...)
2026-12-07T03:19:14.4Z [info     ] [DAG TEST] end task task_id=first map_index=-1 [airflow.sdk.definitions.dag] loc=dag.py:1563
2026-12-07T03:19:14.5Z [info     ] [DAG TEST] starting task_id=boom map_index=3 [airflow.sdk.definitions.dag] loc=dag.py:1501
2026-12-07T03:19:14.5Z [error    ] Task failed with exception     [task] loc=task_runner.py:1676
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/airflow/sdk/bases/operator.py", line 462, in wrapper
    return func(self, *args, **kwargs)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "<frozen runpy>", line 88, in _run_code
  File "/dags/broken.py", line 12, in boom
    raise ValueError("the source file has no header row")
ValueError: the source file has no header row
2026-12-07T03:19:14.6Z [info     ] [DAG TEST] end task task_id=boom map_index=3 [airflow.sdk.definitions.dag] loc=dag.py:1563
2026-12-07T03:19:14.6Z [info     ] Marking run <DagRun broken> failed [airflow.models.dagrun.DagRun] loc=dagrun.py:1219
"""


def test_each_task_gets_its_own_lines_without_airflow_s_machinery() -> None:
    sections = task_sections(LOG.splitlines())
    assert sections[("first", -1)] == [
        "printing from first",
        "[info] Done. Returned value was: 1    [airflow.task.operators.python]",
    ]
    assert sections[("boom", 3)] == [
        "[error] Task failed with exception     [task]",
        "Traceback (most recent call last):",  # Airflow's own frames left out
        '  File "/dags/broken.py", line 12, in boom',
        '    raise ValueError("the source file has no header row")',
        "ValueError: the source file has no header row",
    ]
    assert set(sections) == {("first", -1), ("boom", 3)}  # the run's own lines belong to none


def test_the_last_exception_line_is_the_failure() -> None:
    lines = task_sections(LOG.splitlines())[("boom", 3)]
    assert last_exception(lines) == "ValueError: the source file has no header row"
    qualified = "airflow.sdk.exceptions.AirflowConfigException: hostname_callable"
    assert last_exception(["Traceback:", qualified, "[info] after"]) == qualified
    assert last_exception(["[info] all went well"]) == ""


def test_long_lines_are_cut() -> None:
    log = [
        "[DAG TEST] starting task_id=t map_index=-1",
        "x" * 1000,
        "[DAG TEST] end task task_id=t map_index=-1",
    ]
    [line] = task_sections(log)[("t", -1)]
    assert len(line) == 240 and line.endswith("…")
