"""`.devcontainer/devcontainer.json` for the project, made to work with worktrees.

A linked worktree's `.git` file points at the repository's common git dir by
absolute path, so the container mounts that dir at the same absolute path (and
the worktree at its own), exactly as `seedbed pod` does. The limits come from
the pod settings, so a dev container and a pod get the same resources.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from seedbed.plugins.editors import jsonc
from seedbed.plugins.editors.files import Written, fill, leads_out, read, save, template
from seedbed.plugins.editors.vscode import merge_template

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

DEVCONTAINER = ".devcontainer/devcontainer.json"
_MIB = 1024**2
_GIB = 1024**3


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


def render(workspace: Workspace, port: int | None) -> str:
    from seedbed.plugins.pods.settings import SECTION, PodSettings

    pod = PodSettings.from_section(workspace.config.section(SECTION))

    def text(value: str) -> str:  # inside a JSON string in the template
        return json.dumps(value)[1:-1]

    return fill(
        template("devcontainer", "devcontainer.json"),
        {
            "NAME": text(workspace.facts.repository),
            "IMAGE": text(pod.image or pod.base_image),
            "COMMON_DIR": text(str(workspace.common_dir)),
            "MEMORY": docker_size(pod.memory_bytes),
            "CPUS": f"{pod.cpus:g}",
            "PIDS": str(pod.pids),
            "HOST_CPUS": str(max(1, math.ceil(pod.cpus))),
            "HOST_MEMORY": host_size(pod.memory_bytes),
            "PORTS": str(port) if port else "",
        },
    )


def write_devcontainer(workspace: Workspace, port: int | None = None) -> Written:
    """Write or merge the file at the worktree root (the user's keys win)."""
    refused = leads_out(workspace.root, DEVCONTAINER)
    if refused is not None:
        return refused
    path = workspace.root / DEVCONTAINER
    old = read(path)
    try:
        new, kept = merge_template(old, render(workspace, port))
    except jsonc.JsoncError as exc:
        return Written(path, "skipped", note=f"not valid JSON with comments ({exc})")
    return save(path, old, new, kept=kept)
