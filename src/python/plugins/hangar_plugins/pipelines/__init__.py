"""Task logic and DAG factories of Hangar's pipelines (DAG files stay declarative)."""
