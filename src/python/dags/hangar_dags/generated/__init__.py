"""Generated DAG files."""
