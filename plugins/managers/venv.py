"""The shape uv, pip, poetry and pdm share: a plain virtual environment inside
the worktree, filled by uv when it is on PATH, else by pip.

VenvManager holds the Manager members they have in common (each module's class
inherits it and overrides what differs); the installer choice (`installer`
config key, uv on PATH) and the repair checks (plugins/managers/repair.py) live
here, not in the core, which only records the name the manager gives.
repair and relocate are imported by the members that use them: every setup
imports this module, a reuse alone needs relocate.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from seedbed.core import interpreters
from seedbed.core.errors import EnvironmentProblem
from seedbed.core.types import (
    Installer,
    Manager,
    RunCommand,
    SetupContext,
    Step,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base


def choose_installer(workspace: Workspace) -> Installer:
    """uv when it is on PATH (installer = "auto") or asked for, else pip; uv's
    path is handed on whatever the choice, as venvs are made with it."""
    uv = shutil.which("uv")
    tools = {"uv": uv} if uv else {}
    wanted = str(workspace.config.get("installer", "auto"))
    if wanted == "uv" and uv is None:
        raise EnvironmentProblem(
            'installer = "uv" but uv is not on PATH',
            'install uv (pip install uv) or set installer = "auto"',
        )
    if wanted == "pip":
        return Installer("pip", tools)
    return Installer("uv" if uv else "pip", tools)


_HEALTHY: set[tuple[object, ...]] = set()


def _health_key(environment: Path) -> tuple[object, ...] | None:
    parts: list[object] = [str(environment)]
    try:
        for path in (base.env_python(environment), environment / "pyvenv.cfg"):
            found = path.stat()  # follows the link: the interpreter itself
            parts += [str(path), found.st_ino, found.st_size, found.st_mtime_ns]
    except OSError:
        return None
    return tuple(parts)


class VenvManager(Manager):
    """Defaults for a manager whose environment is a venv in the worktree."""

    def env_dir(self, workspace: Workspace) -> Path:
        return base.env_dir(workspace)

    def env_python(self, workspace: Workspace) -> Path:
        return base.env_python(self.env_dir(workspace))

    def run_command(self, workspace: Workspace, argv: Sequence[str]) -> RunCommand:
        return base.run_command(workspace, argv)

    def health_check(self, workspace: Workspace) -> str | None:
        """base.venv_health_check, whose probe starts the interpreter: a setup
        asks twice (after the install, before the marker), so a healthy answer
        is kept for the same interpreter and pyvenv.cfg (same inode, size and
        mtime): a rebuilt or edited environment is probed again."""
        key = _health_key(base.env_dir(workspace))
        if key is not None and key in _HEALTHY:
            return None
        problem = base.venv_health_check(workspace)
        if problem is None and key is not None:
            _HEALTHY.add(key)
        return problem

    def installer(self, workspace: Workspace) -> Installer:
        return choose_installer(workspace)

    def version_files(self) -> tuple[str, ...]:
        """Files naming the project's Python, after config `python`."""
        return interpreters.VERSION_FILES

    def problems(self, workspace: Workspace) -> list[str]:
        from seedbed.plugins.managers import repair

        return repair.problems(
            workspace, self.env_dir(workspace), version_files=self.version_files()
        )

    def cache_stats(self, log_text: str) -> dict[str, int] | None:
        return base.cache_stats(log_text)

    def reuse_steps(
        self, context: SetupContext, donor_root: Path, donor_env: Path
    ) -> Sequence[Step] | None:
        from seedbed.plugins.managers import relocate

        return relocate.reuse_steps(context, donor_root, donor_env)
