"""``./hangar generate``: DAG files rendered from a template, one per provider and environment."""
