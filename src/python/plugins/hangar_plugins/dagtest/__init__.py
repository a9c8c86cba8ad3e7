"""Test one DAG for real in seconds: the process that runs it (``dag.test()``)."""
