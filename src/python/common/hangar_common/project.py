"""Where the Hangar checkout and its git-ignored state folder are."""

from __future__ import annotations

from pathlib import Path

from hangar_common.settings import current

# Files that only exist at the top of a Hangar checkout.
_ROOT_MARKERS = ("pants.toml", "hangar")


def find_project_root(start: Path | None = None) -> Path:
    """Return the Hangar checkout containing ``start`` (default: ``$HANGAR_HOME`` or the cwd).

    :raises FileNotFoundError: when no ancestor of ``start`` is a Hangar checkout.
    """
    env_root = current("home") if start is None else ""
    if start is None and env_root:
        # An explicit HANGAR_HOME is trusted as is: in the platform image it holds only the
        # files the runtime needs (config/), not a whole checkout.
        if not Path(env_root).is_dir():
            raise FileNotFoundError(f"HANGAR_HOME={env_root} is not a directory")
        return Path(env_root).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if all((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    raise FileNotFoundError(
        f"{here} is not inside a Hangar checkout (no pants.toml + hangar found above it); "
        "run the command from the repository or set HANGAR_HOME to it."
    )


def state_dir(root: Path) -> Path:
    """The git-ignored folder that holds every piece of runtime state of ``./hangar``."""
    return root / ".hangar"
