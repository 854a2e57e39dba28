"""Container workspaces: `seedbed pod …`, isolated Docker workspaces for a worktree.

Modules, one job each: settings (config keys), engine (connect, errors), naming
(names, labels), limits (counts and the engine lock), image (build from
templates/pod), spec (one pod's hardened definition), provision (parallel
create/start with rollback), inventory (find pods), stats (figures, memory
metric), commands (the click group). The Docker SDK is imported only when a
pod command runs, so other commands never pay for it. Other families learn a
pod's limits through the seedbed_container_limits hook, never from settings.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import ConfigKey, GcAction

if TYPE_CHECKING:
    from pathlib import Path

    import click
    from seedbed.core.contributions import ContainerLimits
    from seedbed.core.workspace import Workspace


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    from seedbed.plugins.pods.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.pods.commands import pod

    cli.add_command(pod)


@hookimpl
def seedbed_container_limits(workspace: Workspace) -> ContainerLimits:
    """The pod limits ([tool.seedbed.pod] memory, cpus, pids): a dev container
    gets what a pod gets."""
    from seedbed.core.contributions import ContainerLimits
    from seedbed.plugins.pods.settings import SECTION, PodSettings

    pod = PodSettings.from_section(workspace.config.section(SECTION))
    return ContainerLimits(pod.memory_bytes, pod.cpus, pod.pids)


@hookimpl
def seedbed_gc(
    common_dir: Path, live_worktrees: Sequence[Path], dry_run: bool
) -> Sequence[GcAction]:
    """Remove this repository's pods, made on this host, whose worktree git no
    longer lists. A pod holds no record of its own (its labels are the record),
    so removing it is both the resource and the record step."""
    import socket

    from seedbed.plugins.pods import inventory, naming
    from seedbed.plugins.pods.engine import EngineUnreachable, connect

    try:
        client = connect()
    except ImportError:  # the Docker SDK is not installed: no pods were made
        return []
    except EngineUnreachable as exc:
        if not (
            os.environ.get("DOCKER_HOST") or os.path.exists("/var/run/docker.sock")
        ):
            return []  # no engine on this machine: nothing can hold a pod
        return [GcAction("pods", "container workspaces", "", False, exc.message)]
    live = {str(path) for path in live_worktrees}
    host = socket.gethostname()
    doomed = [
        pod
        for pod in inventory.pods(client)
        if pod["Labels"].get(naming.LABEL_COMMON_DIR) == str(common_dir)
        and pod["Labels"].get(naming.LABEL_HOST) == host
        and pod["Labels"].get(naming.LABEL_WORKTREE, "") not in live
    ]
    done, detail = not dry_run, ""
    if doomed and not dry_run:
        from docker.errors import DockerException
        from seedbed.plugins.pods import provision

        try:
            provision.remove(client, [pod["Id"] for pod in doomed])
        except DockerException as exc:
            done, detail = False, str(exc)
    return [
        GcAction(
            "pods",
            f"pod {inventory.name_of(pod)}",
            pod["Labels"].get(naming.LABEL_WORKTREE, ""),
            done,
            detail,
        )
        for pod in doomed
    ]
