"""``down``'s last sweep: processes of the stack that lost their environment marker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psutil

from hangar_common.platform.stack import kill_stack_leftovers


def _sleeper(cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["/bin/sleep", "300"], cwd=cwd, env=env)


def test_a_renamed_process_in_the_state_folder_is_killed_a_shell_there_is_not(
    tmp_path: Path,
) -> None:
    # setproctitle leaves /proc/PID/environ empty: like a process started with no environment.
    renamed = _sleeper(tmp_path, {})
    shell_like = _sleeper(tmp_path, {"PATH": "/usr/bin:/bin"})
    elsewhere = _sleeper(tmp_path.parent, {})
    try:
        killed = kill_stack_leftovers("no-such-stack", state_root=tmp_path, grace=5)
        assert killed == [renamed.pid]
        assert not psutil.pid_exists(renamed.pid)  # killed and reaped by the sweep
        assert shell_like.poll() is None and elsewhere.poll() is None
    finally:
        for proc in (renamed, shell_like, elsewhere):
            proc.kill()
            proc.wait()


def test_the_environment_marker_alone_still_finds_a_process(tmp_path: Path) -> None:
    marked = _sleeper(tmp_path.parent, {"HANGAR_STACK_ID": "stack-1", "PATH": "/bin"})
    try:
        assert kill_stack_leftovers("stack-1", grace=5) == [marked.pid]
        assert not psutil.pid_exists(marked.pid)
    finally:
        marked.kill()
        marked.wait()
