"""uv projects (uv.lock or [tool.uv]): `uv sync` into the worktree's own .venv."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core.errors import SeedbedError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.interpreters import Request
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Interpreter,
    Manager,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base, record, uvpython
from seedbed.plugins.managers.venv import VenvManager


class UvManager(VenvManager):
    name = "uv"
    priority = 50  # a tie with a weaker claim: uv first, then poetry, pdm, ...

    def detect(self, workspace: Workspace) -> Detection | None:
        if (workspace.root / "uv.lock").is_file():
            return Detection(self.name, ("uv.lock",), 100)
        if "uv" in workspace.pyproject.get("tool", {}):
            return Detection(self.name, ("pyproject.toml [tool.uv]",), 50)
        return None

    def watch(self, workspace: Workspace) -> Watch:
        return Watch(("uv.lock", "pyproject.toml", "uv.toml"))

    def interpreter_dirs(self) -> tuple[Path, ...]:
        # Interpreters `uv python install` placed (uv's default or the user's).
        folder = os.environ.get("UV_PYTHON_INSTALL_DIR", "")
        return (Path(folder or Path.home() / ".local" / "share" / "uv" / "python"),)

    def provide_python(
        self, workspace: Workspace, request: Request, missing: SeedbedError
    ) -> Interpreter:
        """uv's own discovery, then (only where the user's download policy is
        "automatic") `uv python install`; else the error says how to get one."""
        return uvpython.provide(workspace, request, missing)

    def describe_install(self, workspace: Workspace) -> Mapping[str, Any]:
        return uvpython.describe(workspace)

    def lock_check(self, workspace: Workspace) -> Step | None:
        uv = shutil.which("uv") or "uv"
        env = uv_env(base.env_dir(workspace), workspace)
        return Step(
            "uv lock --check", (uv, "lock", "--check"), cwd=workspace.root, env=env
        )

    def reuse_steps(
        self, context: SetupContext, donor_root: Path, donor_env: Path
    ) -> Sequence[Step] | None:
        """With a uv.lock, `uv sync --frozen` is the floor: it resolves nothing,
        sends no request when every wheel is cached and hardlinks (or clones)
        from uv's cache, so it beats relocating the sibling's set (which reads
        its dist-info, writes a listing and then installs the same files). The
        sibling only proves the cache holds the set. Without a lock, the
        sibling's exact set is what keeps the two worktrees alike."""
        if context.tools.get("uv") is None:
            return None
        if not (context.workspace.root / "uv.lock").is_file():
            return super().reuse_steps(context, donor_root, donor_env)
        # Rebuilt from nothing, as any reuse is (a missing env costs nothing).
        steps = list(self.setup_steps(dataclasses.replace(context, recreate=True)))
        return [
            dataclasses.replace(
                step, labels={**step.labels, "reused_from": str(donor_root)}
            )
            if step.argv
            else step
            for step in steps
        ]

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        uv = context.tools.get("uv")
        if uv is None:
            raise base.tool_missing("uv", "pip install uv, or uv's installer")
        environment = base.env_dir(workspace)
        argv = [uv, "sync", "--python", str(context.interpreter.path)]
        if (workspace.root / "uv.lock").is_file():
            argv.append("--frozen")
        if not workspace.config["dev"]:
            argv.append("--no-dev")
        argv.extend(base.link_mode_args(workspace))
        steps = []
        if context.recreate:
            steps.append(base.remove_env_step(environment, workspace.root))
        steps.append(
            Step(
                "uv sync",
                tuple(argv),
                cwd=workspace.root,
                env=uv_env(environment, workspace),
                labels={"installer": "uv"},
            )
        )
        steps.append(
            record.record_step(workspace, self.name, uvpython.describe(workspace))
        )
        return steps


def uv_env(environment: Path, workspace: Workspace | None = None) -> dict[str, str]:
    # Pin the environment into this worktree even when the user's shell points
    # uv elsewhere.
    return {
        "UV_PROJECT_ENVIRONMENT": str(environment),
        **base.uv_base_env(workspace),
    }


MANAGER: Manager = UvManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "link_mode",
            "str",
            "auto",
            "how uv places files from its cache: auto (uv's default or "
            "UV_LINK_MODE), hardlink, clone or copy",
            choices=("auto", "hardlink", "clone", "copy"),
        )
    ]
