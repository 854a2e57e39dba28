"""Checks that a worktree's environment is its own (the reuse correctness
checks): its own folder, its own interpreter prefix, its own code, and no
path of the worktree it was copied from."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def mentions(folder: Path, text: str) -> list[str]:
    """Text files under folder (not .pyc, not binaries) that contain text."""
    found = []
    needle = text.encode()
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.suffix == ".pyc":
            continue
        data = path.read_bytes()
        if b"\0" not in data and needle in data:
            found.append(str(path.relative_to(folder)))
    return found


def check_own_environment(
    worktree: Path, other: Path, module: str = "my_project", script: str = "tinydev"
) -> None:
    """The reuse correctness checks: this worktree's environment is its own."""
    env = worktree / ".venv"
    assert env.is_dir() and not env.is_symlink()
    if (other / ".venv").exists():
        assert not os.path.samefile(env, other / ".venv")
    python = env / "bin" / "python"
    probe = subprocess.run(
        [
            str(python),
            "-c",
            f"import sys, {module}; print(sys.prefix); print({module}.__file__)",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    prefix, location = probe.stdout.splitlines()
    assert prefix == str(env)
    assert location.startswith(str(worktree / "src")), location
    tool = subprocess.run(
        [str(env / "bin" / script)], capture_output=True, text=True, check=False
    )
    assert tool.returncode == 0 and tool.stdout.strip() == f"{script} 1.0", tool
    # Nothing in the environment names the other worktree's path.
    assert mentions(env / "bin", str(other) + "/") == []
    site = next(env.glob("lib/python*/site-packages"))
    leftovers = [m for m in mentions(site, str(other) + "/")]
    assert leftovers == [], leftovers
