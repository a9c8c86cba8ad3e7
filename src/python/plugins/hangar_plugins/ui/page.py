"""The Hangar page as HTML: a Jinja2 template (templates/hangar_page.html.j2), autoescaped."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hangar_plugins.ui.status import BundleStatus, PlatformStatus

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a202c; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e2e8f0; }
th { background: #f7fafc; } code { font-size: .85rem; }
.current { font-weight: 600; color: #276749; } .bad { color: #c53030; } .muted { color: #718096; }
"""


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hangar_plugins.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    # Cells that carry markup are Markup (escaped inside); every other value is escaped.
    env.filters["component_row"] = lambda c: [
        c.component,
        c.hostname,
        c.state,
        c.last_heartbeat or "-",
    ]
    env.filters["import_error_row"] = lambda i: [
        Markup("<code>{}</code>").format(i.filename),
        i.bundle,
        i.timestamp or "-",
        Markup('<span class="bad">{}</span>').format(i.message),
    ]
    env.filters["policy_row"] = lambda v: [
        Markup("<code>{}</code>").format(v.dag_id),
        Markup('<span class="bad">{}</span>').format("; ".join(v.clauses)),
    ]
    env.filters["worker_row"] = lambda w: [w.name, "ok" if w.ok else "no answer"]
    env.filters["figure_row"] = lambda f: [f.label, f.value]
    return env


def _version_rows(bundle: BundleStatus) -> list[list[Any]]:
    return [
        [
            (
                f"preview {v.preview}"
                if v.preview
                else Markup('<span class="current">current</span>') if v.current else ""
            ),
            Markup("<code>{}</code>").format(v.version[:16]),
            v.built_at,
            Markup("<code>{}</code>").format(v.git_commit[:12]),
            str(v.dag_files),
            _plan_cell(v.plan),
        ]
        for v in bundle.versions
    ]


PLAN_LINES_SHOWN = 8


def _plan_cell(lines: list[str]) -> Markup | str:
    """A version's plan, a line each; a long one cut (the CLI prints it whole)."""
    if not lines:
        return "-"
    shown = [Markup("<code>{}</code>").format(line.strip()) for line in lines[:PLAN_LINES_SHOWN]]
    if len(lines) > PLAN_LINES_SHOWN:
        more = len(lines) - PLAN_LINES_SHOWN
        shown.append(
            Markup('<span class="muted">{} more: ./hangar versions --diff</span>').format(more)
        )
    return Markup("<br>").join(shown)


_TEMPLATE = _environment().get_template("hangar_page.html.j2")


def render(status: PlatformStatus) -> str:
    """The page for ``status`` (Jinja2 with autoescape: values cannot inject markup)."""
    return _TEMPLATE.render(status=status, style=Markup(STYLE), version_rows=_version_rows)
