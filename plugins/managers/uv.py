"""uv projects (uv.lock or [tool.uv]): `uv sync` into the worktree's own .venv."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import Detection, Manager, SetupContext, Step, Watch
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base, relocate


class UvManager:
    name = "uv"
    env_dir = staticmethod(base.env_dir)
    run_command = staticmethod(base.run_command)
    health_check = staticmethod(base.venv_health_check)
    reuse_steps = staticmethod(relocate.reuse_steps)
    cache_stats = staticmethod(base.cache_stats)

    def detect(self, workspace: Workspace) -> Detection | None:
        if (workspace.root / "uv.lock").is_file():
            return Detection(self.name, ("uv.lock",), 100)
        if "uv" in workspace.pyproject.get("tool", {}):
            return Detection(self.name, ("pyproject.toml [tool.uv]",), 50)
        return None

    def watch(self, workspace: Workspace) -> Watch:
        return Watch(("uv.lock", "pyproject.toml", "uv.toml"))

    def lock_check(self, workspace: Workspace) -> Step | None:
        uv = shutil.which("uv") or "uv"
        env = uv_env(base.env_dir(workspace))
        return Step(
            "uv lock --check", (uv, "lock", "--check"), cwd=workspace.root, env=env
        )

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        if context.uv is None:
            raise base.tool_missing("uv", "pip install uv, or uv's installer")
        environment = base.env_dir(workspace)
        argv = [context.uv, "sync", "--python", str(context.interpreter.path)]
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
                env=uv_env(environment),
                labels={"installer": "uv"},
            )
        )
        return steps


def uv_env(environment: Path) -> dict[str, str]:
    # Pin the environment into this worktree even when the user's shell points
    # uv elsewhere.
    return {"UV_PROJECT_ENVIRONMENT": str(environment), **base.uv_base_env()}


MANAGER: Manager = UvManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]
