"""poetry projects (poetry.lock or [tool.poetry]): `poetry sync` into the
worktree's own .venv.

seedbed makes the environment itself (uv venv, or `python -m venv`) with the
interpreter it chose, then points poetry at it through variables only:
VIRTUAL_ENV (poetry uses an active environment) and
POETRY_VIRTUALENVS_IN_PROJECT; the user's poetry config is never written.
`poetry sync` (`poetry install --sync` before poetry 2) removes what the lock
no longer lists. poetry's cache stays where the user keeps it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Manager,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base
from seedbed.plugins.managers.venv import VenvManager

LOCK = "poetry.lock"


class PoetryManager(VenvManager):
    name = "poetry"
    priority = 40

    def detect(self, workspace: Workspace) -> Detection | None:
        if (workspace.root / LOCK).is_file():
            return Detection(self.name, (LOCK,), 100)
        if "poetry" in workspace.pyproject.get("tool", {}):
            return Detection(self.name, ("pyproject.toml [tool.poetry]",), 50)
        return None

    def watch(self, workspace: Workspace) -> Watch:
        # poetry.toml is the project-local poetry config (sources, options).
        return Watch((LOCK, "pyproject.toml", "poetry.toml"))

    def lock_check(self, workspace: Workspace) -> Step | None:
        return Step(
            "poetry check --lock",
            (executable(), "check", "--lock"),
            cwd=workspace.root,
            env=poetry_env(base.env_dir(workspace)),
        )

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        poetry = base.require_tool("poetry", "pipx install poetry")
        environment = base.env_dir(workspace)
        steps = base.venv_steps(context, environment)
        steps.append(
            Step(
                "poetry sync",
                (poetry, *sync_args(workspace)),
                cwd=workspace.root,
                env=poetry_env(environment),
                labels={"installer": "poetry"},
            )
        )
        return steps


def executable() -> str:
    return shutil.which("poetry") or "poetry"


def poetry_env(environment: Path) -> dict[str, str]:
    return {
        "VIRTUAL_ENV": str(environment),
        "POETRY_VIRTUALENVS_IN_PROJECT": "true",
        # Never fall back to an environment of poetry's own choosing elsewhere.
        "POETRY_VIRTUALENVS_CREATE": "false",
        "POETRY_NO_INTERACTION": "1",
    }


def sync_args(workspace: Workspace) -> tuple[str, ...]:
    """`sync` (poetry 2) or `install --sync` (poetry 1, told by the lock's
    header), with the configured groups."""
    args: list[str] = ["sync"]
    try:
        with open(workspace.root / LOCK, encoding="utf-8") as handle:
            header = handle.readline()
    except OSError:
        header = ""
    if "by Poetry 1." in header:
        args = ["install", "--sync"]
    groups = list(workspace.config.section("poetry").get("groups", []))
    if not workspace.config["dev"]:
        args += ["--only", "main"]
    elif groups:
        args += ["--with", ",".join(groups)]
    return tuple(args)


MANAGER: Manager = PoetryManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "groups",
            "list",
            [],
            "optional poetry groups to install as well ([tool.seedbed.poetry]); "
            "dev = false installs only the main group",
            section="poetry",
        )
    ]
