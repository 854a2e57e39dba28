"""`.devcontainer/devcontainer.json` for the project, made to work with worktrees.

A linked worktree's `.git` file points at the repository's common git dir by
absolute path, so the container mounts that dir at the same absolute path (and
the worktree at its own), exactly as `seedbed pod` does. The limits are the
seedbed_container_limits hook's answer (the pods plugin's [tool.seedbed.pod]),
so a dev container and a pod get the same resources; with no answer (the pods
plugin blocked) they are DEFAULT_LIMITS, the pod defaults: 1g, 1 CPU, 256
processes.

The container builds its own environment (postCreateCommand, with the
project's package manager) in a named volume mounted over the worktree's env
folder: the host's environment is never mounted into it. The image runs the
project's Python (`python:<version>-slim`), or is the configured
`devcontainer_image`.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from seedbed.core.contributions import ContainerLimits
from seedbed.plugins.editors import jsonc
from seedbed.plugins.editors.files import (
    Written,
    fill,
    leads_out,
    left_alone,
    read,
    save,
    template,
)
from seedbed.plugins.editors.postcreate import post_create
from seedbed.plugins.editors.vscode import merge_template

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.workspace import Workspace

DEVCONTAINER = ".devcontainer/devcontainer.json"
DEFAULT_IMAGE = "python:{python}-slim"
# Minors a version range is matched against (the newest one it allows wins).
_MINORS = tuple(f"3.{minor}" for minor in range(8, 15))
_MIB = 1024**2
_GIB = 1024**3
# When no plugin states limits: the pods plugin's defaults, so the file reads
# the same whether it is blocked or merely left unconfigured.
DEFAULT_LIMITS = ContainerLimits(memory_bytes=_GIB, cpus=1.0, pids=256)


def container_limits(workspace: Workspace, pm: pluggy.PluginManager) -> ContainerLimits:
    """The limits the plugins state for the worktree's containers, else
    DEFAULT_LIMITS."""
    stated = pm.hook.seedbed_container_limits(workspace=workspace)
    return stated if isinstance(stated, ContainerLimits) else DEFAULT_LIMITS


def docker_size(size: int) -> str:
    """Bytes as `docker run --memory` reads them (512m, 2g)."""
    if size % _GIB == 0:
        return f"{size // _GIB}g"
    return f"{max(1, size // _MIB)}m"


def host_size(size: int) -> str:
    """Bytes as devcontainer.json's hostRequirements reads them (4gb, 512mb)."""
    if size % _GIB == 0:
        return f"{size // _GIB}gb"
    return f"{max(1, size // _MIB)}mb"


def python_version(workspace: Workspace) -> str:
    """The project's Python as an image tag: "3.11" from `python = "3.11"`,
    .python-version or requires-python (the newest minor a range allows);
    "3" when nothing says."""
    import re

    from seedbed.core.interpreters import request_for

    request = request_for(
        workspace.root, str(workspace.config.get("python") or ""), workspace.pyproject
    )
    if request.spec is None:
        return "3"
    exact = re.fullmatch(r"(?:cpython-|python-?)?(\d+\.\d+)(?:\.\d+)?", request.text)
    if exact:
        return exact.group(1)
    allowed = [
        minor
        for minor in _MINORS
        if any(request.spec.contains(f"{minor}.{patch}") for patch in (0, 99))
    ]
    return allowed[-1] if allowed else "3"


def image(workspace: Workspace) -> str:
    """The configured devcontainer_image ({python} is the project's version),
    else python:<version>-slim."""
    from seedbed.plugins.editors import SECTION

    chosen = str(workspace.config.section(SECTION).get("devcontainer_image") or "")
    return (chosen or DEFAULT_IMAGE).replace("{python}", python_version(workspace))


def render(
    workspace: Workspace,
    port: int | None,
    manager: str = "",
    limits: ContainerLimits = DEFAULT_LIMITS,
) -> str:
    env_dir = str(workspace.config.get("env_dir", ".venv")).strip("/") or ".venv"
    command, env = post_create(workspace, manager, env_dir)

    def text(value: str) -> str:  # inside a JSON string in the template
        return json.dumps(value)[1:-1]

    return fill(
        template("devcontainer", "devcontainer.json"),
        {
            "NAME": text(workspace.facts.repository),
            "IMAGE": text(image(workspace)),
            "COMMON_DIR": text(str(workspace.common_dir)),
            "ENV_DIR": text(env_dir),
            "MEMORY": docker_size(limits.memory_bytes),
            "CPUS": f"{limits.cpus:g}",
            "PIDS": str(limits.pids),
            "HOST_CPUS": str(max(1, math.ceil(limits.cpus))),
            "HOST_MEMORY": host_size(limits.memory_bytes),
            "CONTAINER_ENV": ", ".join(
                f"{json.dumps(k)}: {json.dumps(v)}"
                for k, v in {"SEEDBED_SKIP": "1", **env}.items()
            ),
            "POST_CREATE": text(command),
            "PORTS": str(port) if port else "",
        },
    )


def write_devcontainer(
    workspace: Workspace,
    port: int | None = None,
    manager: str = "",
    limits: ContainerLimits | None = None,
) -> Written:
    """Write or merge the file at the worktree root (the user's keys win); a
    file git tracks is left as it is. limits: None asks the plugins the
    workspace's configuration loads."""
    refused = leads_out(workspace.root, DEVCONTAINER) or left_alone(
        workspace.root, DEVCONTAINER
    )
    if refused is not None:
        return refused
    path = workspace.root / DEVCONTAINER
    old = read(path)
    if limits is None:
        from seedbed.plugins.editors import workspace_plugins

        limits = container_limits(workspace, workspace_plugins(workspace))
    try:
        new, kept = merge_template(old, render(workspace, port, manager, limits))
    except jsonc.JsoncError as exc:
        return Written(path, "skipped", note=f"not valid JSON with comments ({exc})")
    return save(path, old, new, kept=kept)
