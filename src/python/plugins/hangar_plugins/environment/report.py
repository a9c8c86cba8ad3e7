"""What applying an environment file did, the same for ``./hangar init`` and the DAG."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{verb}: {', '.join(items)}"
            for verb, items in (
                ("created", self.created),
                ("updated", self.updated),
                ("unchanged", self.unchanged),
            )
            if items
        ]
