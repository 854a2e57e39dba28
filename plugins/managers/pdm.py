"""pdm projects (pdm.lock or [tool.pdm]): `pdm sync --clean` into the
worktree's own .venv.

seedbed makes the environment with the interpreter it chose and hands it to
pdm as PDM_PYTHON, so pdm neither picks another interpreter nor writes
`.pdm-python`; `pdm sync` installs exactly the lock and never rewrites it
(frozen), `--clean` removes what the lock no longer lists. Without a lock,
`pdm install` locks first, as pdm does.

pdm's own `use_uv` setting is honoured (seedbed passes nothing unless told);
`[tool.seedbed.pdm] use_uv = "true"` turns it on for seedbed's runs only, when
uv is on PATH.
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

LOCK = "pdm.lock"


class PdmManager(VenvManager):
    name = "pdm"
    priority = 30
    # pdm writes the interpreter it uses here when run by hand; per worktree.
    excludes: tuple[str, ...] = ("/.pdm-python",)

    def detect(self, workspace: Workspace) -> Detection | None:
        if (workspace.root / LOCK).is_file():
            return Detection(self.name, (LOCK,), 100)
        table = workspace.pyproject.get("tool", {}).get("pdm")
        # [tool.pdm.build] alone is pdm-backend's build config, used by
        # projects any manager may own: it is no claim.
        if isinstance(table, dict) and set(table) - {"build", "version"}:
            return Detection(self.name, ("pyproject.toml [tool.pdm]",), 50)
        return None

    def watch(self, workspace: Workspace) -> Watch:
        # pdm.toml is the project-local pdm config (sources, use_uv).
        return Watch((LOCK, "pyproject.toml", "pdm.toml"))

    def lock_check(self, workspace: Workspace) -> Step | None:
        return Step(
            "pdm lock --check",
            (executable(), "lock", "--check"),
            cwd=workspace.root,
            env=pdm_env(workspace, base.env_dir(workspace)),
        )

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        pdm = base.require_tool("pdm", "pipx install pdm")
        environment = base.env_dir(workspace)
        steps = base.venv_steps(context, environment)
        steps.append(
            Step(
                "pdm sync",
                (pdm, *sync_args(workspace)),
                cwd=workspace.root,
                env=pdm_env(workspace, environment),
                labels={"installer": "pdm"},
            )
        )
        return steps


def executable() -> str:
    return shutil.which("pdm") or "pdm"


def pdm_env(workspace: Workspace, environment: Path) -> dict[str, str]:
    env = {
        "PDM_PYTHON": str(base.env_python(environment)),
        "PDM_VENV_IN_PROJECT": "true",
        "PDM_CHECK_UPDATE": "false",
        "PDM_NON_INTERACTIVE": "1",
    }
    wanted = str(workspace.config.section("pdm").get("use_uv", "auto"))
    if wanted == "true" and shutil.which("uv"):
        env["PDM_USE_UV"] = "true"
    elif wanted == "false":
        env["PDM_USE_UV"] = "false"
    return env


def sync_args(workspace: Workspace) -> tuple[str, ...]:
    locked = (workspace.root / LOCK).is_file()
    args: list[str] = ["sync", "--clean"] if locked else ["install"]
    if not workspace.config["dev"]:
        args.append("--prod")
    for group in workspace.config.section("pdm").get("groups", []):
        args += ["-G", str(group)]
    return tuple(args)


MANAGER: Manager = PdmManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "use_uv",
            "str",
            "auto",
            "pdm's use_uv for seedbed's runs: auto keeps pdm's own setting",
            section="pdm",
            choices=("auto", "true", "false"),
        ),
        ConfigKey(
            "groups",
            "list",
            [],
            "optional-dependency groups to install as well",
            section="pdm",
        ),
    ]
