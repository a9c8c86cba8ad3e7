"""The Hangar page as HTML: a plain server-rendered page, no assets, every value escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from hangar_plugins.ui.status import PlatformStatus

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a202c; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e2e8f0; }
th { background: #f7fafc; } code { font-size: .85rem; }
.current { font-weight: 600; color: #276749; } .bad { color: #c53030; } .muted { color: #718096; }
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(status: PlatformStatus) -> str:
    e = escape
    sections = [
        f"<h1>Hangar platform</h1><p class='muted'>as of {e(status.generated_at)} UTC"
        f" &middot; executor {e(status.executor)}</p>"
    ]
    for bundle in status.bundles:
        sections.append(
            f"<h2>DAG bundle <code>{e(bundle.name)}</code> ({e(bundle.kind)})</h2>"
            f"<p>Last refreshed by the dag-processor: {e(bundle.last_refreshed or 'never')}"
            f" &middot; version parsed: <code>{e(bundle.parsed_version or '-')}</code></p>"
        )
        if bundle.error:
            sections.append(f'<p class="bad">Bundle store unavailable: {e(bundle.error)}</p>')
        sections.append(
            _table(
                ["", "Version", "Built", "Git commit", "DAG files"],
                (
                    [
                        '<span class="current">current</span>' if v.current else "",
                        f"<code>{e(v.version[:16])}</code>",
                        e(v.built_at),
                        f"<code>{e(v.git_commit[:12])}</code>",
                        str(v.dag_files),
                    ]
                    for v in bundle.versions
                ),
                "No deployed versions (this bundle is a local folder, or nothing was deployed).",
            )
        )
    sections.append("<h2>Components</h2>")
    sections.append(
        _table(
            ["Component", "Host", "State", "Last heartbeat"],
            (
                [e(c.component), e(c.hostname), e(c.state), e(c.last_heartbeat or "-")]
                for c in status.components
            ),
            "No running scheduler, dag-processor or triggerer recorded.",
        )
    )
    sections.append(f"<h2>DAG import errors ({len(status.import_errors)})</h2>")
    sections.append(
        _table(
            ["File", "Bundle", "When", "Error"],
            (
                [
                    f"<code>{e(i.filename)}</code>",
                    e(i.bundle),
                    e(i.timestamp or "-"),
                    f'<span class="bad">{e(i.message)}</span>',
                ]
                for i in status.import_errors
            ),
            "None: every DAG file parses.",
        )
    )
    sections.append(f"<h2>Workers online ({sum(w.ok for w in status.workers)})</h2>")
    if status.workers_error:
        sections.append(f'<p class="bad">Celery did not answer: {e(status.workers_error)}</p>')
    elif "Celery" not in status.executor:
        sections.append(
            f'<p class="muted">{e(status.executor)}: tasks run on the scheduler'
            " host, no Celery workers.</p>"
        )
    else:
        sections.append(
            _table(
                ["Worker", "Ping"],
                ([e(w.name), "ok" if w.ok else "no answer"] for w in status.workers),
                "No worker answered a ping.",
            )
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Hangar</title>"
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
