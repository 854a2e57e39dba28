"""Shared defaults for package manager plugins (a module assigns what it keeps).

Everything here is about a plain virtual environment inside the worktree, which
uv, pip, poetry (in-project) and pdm all produce.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core import runner
from core.records import RunCommand, Step
from core.workspace import Workspace

HEALTH_PROBE = (
    "import json, sys; print(json.dumps({'prefix': sys.prefix, "
    "'version': '%d.%d.%d' % sys.version_info[:3]}))"
)


def env_dir(workspace: Workspace) -> Path:
    return workspace.root / str(workspace.config["env_dir"])


def env_python(environment: Path) -> Path:
    return environment / "bin" / "python"


def run_command(workspace: Workspace, argv: Sequence[str]) -> RunCommand:
    """Run argv with the environment's bin/ first on PATH, as `activate` would."""
    environment = env_dir(workspace)
    path = f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return RunCommand(tuple(argv), {"PATH": path, "VIRTUAL_ENV": str(environment)})


def health_check(workspace: Workspace) -> str | None:
    """Why the worktree's environment cannot be used, or None."""
    return venv_health(env_dir(workspace))


def venv_health(environment: Path) -> str | None:
    python = env_python(environment)
    if not environment.is_dir():
        return f"{environment} does not exist"
    if not (environment / "pyvenv.cfg").is_file():
        return f"{environment} has no pyvenv.cfg: not a virtual environment"
    if not python.exists():
        return f"{python} is missing or a broken link"
    result = runner.run_argv("health", [str(python), "-c", HEALTH_PROBE], timeout=60)
    if not result.ok:
        return f"{python} does not run: {result.output_tail.strip()[-200:]}"
    try:
        facts: dict[str, Any] = json.loads(result.output_tail.splitlines()[-1])
    except (ValueError, IndexError):
        return f"{python} gave no answer to the health probe"
    if os.path.realpath(facts["prefix"]) != os.path.realpath(environment):
        return f"{python} belongs to {facts['prefix']}, not {environment}"
    return None


def remove_env_step(environment: Path) -> Step:
    def remove() -> None:
        if environment.is_symlink() or environment.is_file():
            environment.unlink()
        elif environment.exists():
            shutil.rmtree(environment)

    return Step(f"remove {environment.name}", action=remove)


def is_package(workspace: Workspace) -> bool:
    """Whether the project builds as a package (so it is installed editable)."""
    data: Mapping[str, Any] = workspace.pyproject
    return (
        "build-system" in data
        or "project" in data
        or (workspace.root / "setup.py").is_file()
        or (workspace.root / "setup.cfg").is_file()
    )
