"""The outcome of one doctor check and how a list of them is rendered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """One row of the doctor table: what was checked, what was found and, on failure, the fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # passed, with something to look at (WARN; doctor still exits 0)

    @property
    def status(self) -> str:
        if not self.ok:
            return "FAIL"
        return "WARN" if self.warning else "OK"


def render_table(results: Sequence[CheckResult]) -> str:
    """Render results as an aligned text table; each failure is followed by its fix."""
    name_width = max([len("CHECK"), *(len(r.name) for r in results)])
    lines = [f"{'CHECK':<{name_width}}  STATUS  DETAIL"]
    for result in results:
        lines.append(f"{result.name:<{name_width}}  {result.status:<6}  {result.detail}")
        if not result.ok and result.fix:
            lines.append(f"{'':<{name_width}}  {'':<6}  fix: {result.fix}")
    failed = sum(not r.ok for r in results)
    warned = sum(r.ok and r.warning for r in results)
    lines.append("")
    lines.append(
        f"{len(results) - failed} of {len(results)} checks OK"
        + (f" ({warned} with warnings)" if warned else "")
        + (f", {failed} FAILED" if failed else "")
    )
    return "\n".join(lines)
