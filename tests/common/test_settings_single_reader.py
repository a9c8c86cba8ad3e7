"""`hangar_common.settings` is the one home of HANGAR_* settings: the code scanned as text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hangar_common.settings import described_fields
from tests.support.paths import repo_root

SETTINGS_MODULE = Path("src/python/common/hangar_common/settings.py")
# Names that are not settings: a build argument of the image, Pants' slot variable for tests.
NOT_SETTINGS = {"HANGAR_VERSION", "HANGAR_TEST_SLOT", "HANGAR_SCREENSHOT_DIR"}
# Names `./hangar env export` invents for secrets no reference names (HANGAR_CONN_<ID>_PASSWORD,
# HANGAR_VAR_<KEY>, ...): references in an environment file, set by the user, not settings.
INVENTED_PREFIXES = ("HANGAR_CONN_", "HANGAR_VAR_", "HANGAR_POOL_")
HANGAR_NAME = re.compile(r"(?<![A-Z_])HANGAR_[A-Z0-9][A-Z0-9_]*")


def _sources() -> list[Path]:
    files = sorted(repo_root().glob("src/python/**/*.py"))
    assert len(files) > 50, "the scan must see the code"
    return files


def test_every_hangar_name_the_code_config_and_containers_use_is_declared() -> None:
    root = repo_root()
    scanned = [
        *_sources(),
        *root.glob("config/*.yaml"),
        *root.glob("docker/*.yaml"),
        root / "docker" / "Dockerfile",
    ]
    used = {name for path in scanned for name in HANGAR_NAME.findall(path.read_text())}
    declared = {name for name, _default, _extras in described_fields()}
    assert "HANGAR_POSTGRES_URL" in used
    invented = {name for name in used if name.startswith(INVENTED_PREFIXES)}
    assert used - NOT_SETTINGS - invented - declared == set()


def _environ_reads(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
    return lines


def _hangar_literal_reads(tree: ast.AST) -> list[int]:
    """``x.get("HANGAR_...")`` and ``x["HANGAR_..."]`` read as a value (writes are allowed)."""
    lines = []
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "pop", "setdefault") and node.args:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            if HANGAR_NAME.fullmatch(key.value):
                lines.append(key.lineno)
    return lines


def test_only_the_settings_module_reads_the_environment_or_hangar_names() -> None:
    root = repo_root()
    offenders = []
    for path in _sources():
        relative = path.relative_to(root)
        if relative == SETTINGS_MODULE:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        offenders += [f"{relative}:{line} os.environ" for line in _environ_reads(tree)]
        offenders += [f"{relative}:{line} HANGAR_* read" for line in _hangar_literal_reads(tree)]
    assert offenders == []


def test_the_scan_finds_what_it_forbids() -> None:
    tree = ast.parse('import os\nos.environ.get("X")\nenv.get("HANGAR_STACK")\nenv["HANGAR_X"]\n')
    assert _environ_reads(tree) == [2]
    assert sorted(_hangar_literal_reads(tree)) == [3, 4]
    writes = ast.parse('env["HANGAR_X"] = "1"\n')
    assert _hangar_literal_reads(writes) == []
