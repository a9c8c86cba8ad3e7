"""Versioned DAG-bundle artifacts in object storage: publish, point, fetch, verify."""
