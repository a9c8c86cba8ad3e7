"""``./hangar``'s runtime venv on a fresh checkout holds exactly the lockfile's pins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import hangar_common
import hangar_common.cli.main  # noqa: F401 - the CLI ./hangar runs, copied below
from tests.support.paths import repo_root

# Run by the venv's own interpreter: the distributions the lockfile requires on this
# interpreter (its requirements and their dependencies, markers evaluated here, extras followed),
# and the distributions installed. `packaging` is one of the locked distributions.
_COMPARE = r"""
import importlib.metadata, json, sys
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

text = open(sys.argv[1], encoding="utf-8").read()
lock = json.loads("\n".join(l for l in text.splitlines() if not l.startswith("//")))
locked = {
    canonicalize_name(r["project_name"]): r
    for r in lock["locked_resolves"][0]["locked_requirements"]
}
wanted, todo = {}, [Requirement(spec) for spec in lock["requirements"]]
while todo:
    req = todo.pop()
    name = canonicalize_name(req.name)
    extras = wanted.get(name)
    if extras is not None and set(req.extras) <= extras:
        continue
    wanted[name] = (extras or set()) | set(req.extras)
    for dist in locked[name]["requires_dists"]:
        dep = Requirement(dist)
        if dep.marker is None or any(
            dep.marker.evaluate({"extra": extra}) for extra in (wanted[name] or {""})
        ):
            todo.append(dep)
installed = {
    canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()
}
print(json.dumps({
    "required": {name: locked[name]["version"] for name in wanted},
    "installed": installed,
}))
"""


def test_first_run_builds_a_venv_of_exactly_the_locked_distributions(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "3rdparty" / "python").mkdir(parents=True)
    shutil.copy2(repo_root() / "hangar", checkout / "hangar")
    lockfile = checkout / "3rdparty" / "python" / "python-default.lock"
    shutil.copy2(repo_root() / "3rdparty" / "python" / "python-default.lock", lockfile)
    # The CLI package as Pants placed it in the sandbox (only hangar_common: no DAG or plugin).
    package = Path(hangar_common.__file__).parent
    shutil.copytree(package, checkout / "src/python/common/hangar_common")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    env["HOME"] = str(tmp_path / "home")  # no uv cache, no user pip configuration

    proc = subprocess.run(
        [str(checkout / "hangar"), "--version"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "runtime venv ready" in proc.stderr
    venv_python = checkout / ".hangar" / "venv" / "bin" / "python"
    compared = json.loads(
        subprocess.run(
            [str(venv_python), "-c", _COMPARE, str(lockfile)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    )
    assert compared["installed"] == compared["required"]
    # Every pin went through uv with its hashes from the lockfile.
    requirements = (checkout / ".hangar" / "requirements.lock.txt").read_text()
    assert requirements.count("==") == len(compared["required"])
    assert requirements.count("--hash=sha256:") >= len(compared["required"])

    # A second call takes the fast path: the venv is current, nothing is rebuilt.
    again = subprocess.run(
        [str(checkout / "hangar"), "--version"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0 and "runtime venv" not in again.stderr
