"""The devcontainer's postCreateCommand: build the environment inside the
container with the project's package manager, into the env folder (a volume).

A manager the image lacks (uv, poetry, pdm) is installed first into a tools
environment of its own in the container's home, never into the project's.
The command is one `sh` line: devcontainer.json runs a string in a shell.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.workspace import Workspace

TOOLS = "$HOME/.seedbed-tools"


def _bootstrap(tool: str) -> str:
    """Install tool into the container's tools environment unless it is there."""
    return (
        f"if ! command -v {tool} >/dev/null 2>&1; then"
        f' python3 -m venv "{TOOLS}" && "{TOOLS}/bin/pip" install -q {tool}'
        f' && export PATH="{TOOLS}/bin:$PATH"; fi'
    )


def _pip(workspace: Workspace, env_dir: str) -> str:
    from seedbed.core.discovery import is_package

    root = workspace.root
    names = ["requirements.txt"]
    if workspace.config.get("dev", True):
        names += ["requirements-dev.txt", "dev-requirements.txt"]
    args = [arg for n in names if (root / n).is_file() for arg in ("-r", n)]
    if is_package(workspace):
        args += ["-e", "."]
    python = shlex.quote(f"{env_dir}/bin/python")
    steps = [f"python3 -m venv {shlex.quote(env_dir)}"]
    if args:
        steps.append(f"{python} -m pip install {shlex.join(args)}")
    return " && ".join(steps)


def post_create(
    workspace: Workspace, manager: str, env_dir: str
) -> tuple[str, dict[str, str]]:
    """(the postCreateCommand, containerEnv entries it needs) for manager."""
    quoted = shlex.quote(env_dir)
    if manager == "uv":
        return f"{_bootstrap('uv')}; uv sync", {
            "UV_PROJECT_ENVIRONMENT": env_dir,
            "UV_LINK_MODE": "copy",
        }
    if manager == "poetry":
        return f"{_bootstrap('poetry')}; poetry install", {
            "POETRY_VIRTUALENVS_IN_PROJECT": "true"
        }
    if manager == "pdm":
        return f"{_bootstrap('pdm')}; pdm install", {"PDM_VENV_IN_PROJECT": "true"}
    if manager == "conda":
        # The image must have conda (devcontainer_image): none is installed here.
        return f"conda env create --yes --prefix {quoted} --file environment.yml", {}
    return _pip(workspace, env_dir), {}


def manager_name(workspace: Workspace, pm: pluggy.PluginManager) -> str:
    """The manager the worktree uses (configured, else detected); "" when none."""
    from seedbed.core.errors import SeedbedError
    from seedbed.core.plugins import Registry
    from seedbed.core.setup.choose import best

    configured = str(workspace.config.get("manager") or "auto")
    if configured != "auto":
        return configured
    try:
        registry = Registry.load(pm)
        found = [d for m in registry.managers.values() if (d := m.detect(workspace))]
        if not found:
            return ""
        priority = {n: m.priority for n, m in registry.managers.items()}
        return best(found, priority, str(workspace.root))
    except SeedbedError:
        return ""
