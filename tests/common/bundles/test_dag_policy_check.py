from __future__ import annotations

from hangar_common.bundles.dag_policy_check import dag_line, policy_lines, refuses

VIOLATIONS = {
    "b_dag": ["3 tasks have no owner (x, y, z): set default_args={'owner': ...}"],
    "a_dag": ["no tags: add tags=[...] (team, domain)", "task t has no owner: set ..."],
}


def test_enforce_refuses_with_one_message_per_dag() -> None:
    lines = policy_lines(VIOLATIONS, mode="enforce")
    assert lines == [
        "refused: 2 DAGs of this bundle break Hangar's DAG rules and the platform would reject "
        "them (HANGAR_DAG_POLICY=enforce; HANGAR_DAG_POLICY=warn loads them and lists their "
        "violations):",
        "  DAG 'a_dag': no tags: add tags=[...] (team, domain); task t has no owner: set ...",
        "  DAG 'b_dag': 3 tasks have no owner (x, y, z): set default_args={'owner': ...}",
    ]
    assert refuses(VIOLATIONS, mode="enforce")


def test_warn_deploys_and_lists_them() -> None:
    lines = policy_lines({"a_dag": VIOLATIONS["a_dag"]}, mode="warn")
    assert lines[0] == (
        "warning: 1 DAG of this bundle breaks Hangar's DAG rules (loaded: HANGAR_DAG_POLICY=warn; "
        "the Hangar page and ./hangar doctor list them):"
    )
    assert lines[1:] == [f"  {dag_line('a_dag', VIOLATIONS['a_dag'])}"]
    assert not refuses(VIOLATIONS, mode="warn")


def test_a_compliant_bundle_prints_nothing() -> None:
    assert policy_lines({}, mode="enforce") == []
    assert not refuses({}, mode="enforce")
