"""DAG tags that carry a value, e.g. ``owner:data-eng`` or ``slack:#team``."""

from __future__ import annotations

from collections.abc import Iterable


def tag_value(tags: Iterable[str] | None, prefix: str) -> str | None:
    """The value of the first (sorted) ``<prefix><value>`` tag with a non-blank value."""
    for tag in sorted(tags or ()):
        if tag.startswith(prefix) and tag[len(prefix) :].strip():
            return tag[len(prefix) :].strip()
    return None
