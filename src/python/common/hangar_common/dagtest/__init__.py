"""Test one DAG for real in seconds: metadata DB, launch, footprint and report of a run."""
