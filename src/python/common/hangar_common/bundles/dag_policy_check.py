"""The deploy's check of Hangar's DAG rules: what in the candidate still breaks them, per DAG.

The candidate is parsed with the platform's cluster policy (:mod:`hangar_plugins.policies`),
which reports each DAG's violations as one clause per rule naming every task concerned
(:attr:`BundleSnapshot.policy_violations`, collected in either policy mode). With
``HANGAR_DAG_POLICY=enforce`` the platform would reject those DAGs, so the deploy refuses the
candidate naming each; with ``warn`` it deploys and lists them, as the platform will.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hangar_common.settings import env_name

SETTING = env_name("dag_policy")


def dag_line(dag_id: str, clauses: Sequence[str]) -> str:
    """One DAG's violations as one line (the same text the platform records)."""
    return f"DAG {dag_id!r}: " + "; ".join(clauses)


def policy_lines(violations: Mapping[str, Sequence[str]], *, mode: str) -> list[str]:
    """What deploy prints about DAGs that break the rules: a heading, then one line per DAG;
    nothing when every DAG complies. ``mode`` is the platform's ``HANGAR_DAG_POLICY``."""
    if not violations:
        return []
    count = len(violations)
    dags = f"{count} DAG{'s' if count != 1 else ''}"
    if mode == "enforce":
        heading = (
            f"refused: {dags} of this bundle break{'s' if count == 1 else ''} Hangar's DAG rules "
            f"and the platform would reject {'them' if count != 1 else 'it'} ({SETTING}=enforce; "
            f"{SETTING}=warn loads them and lists their violations):"
        )
    else:
        heading = (
            f"warning: {dags} of this bundle break{'s' if count == 1 else ''} Hangar's DAG rules "
            f"(loaded: {SETTING}=warn; the Hangar page and ./hangar doctor list them):"
        )
    return [heading, *(f"  {dag_line(d, violations[d])}" for d in sorted(violations))]


def refuses(violations: Mapping[str, Sequence[str]], *, mode: str) -> bool:
    return bool(violations) and mode != "warn"
