"""Finding seedbed's pods on the engine: by worktree, by name, and the stale ones."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seedbed.core.errors import EXIT_FAILED, EXIT_NOT_FOUND, SeedbedError
from seedbed.plugins.pods import naming

Pod = Mapping[str, Any]  # one entry of the engine's container list


def pods(client: Any, worktree: Path | None = None) -> list[Pod]:
    """Seedbed pods, running or not, oldest first; only worktree's when given."""
    wanted = [naming.LABEL_POD]
    if worktree is not None:
        wanted.append(f"{naming.LABEL_WORKTREE}={worktree}")
    found = client.api.containers(all=True, filters={"label": wanted})
    return sorted(found, key=lambda pod: (pod["Created"], name_of(pod)))


def name_of(pod: Pod) -> str:
    return str(pod["Names"][0]).lstrip("/")


def by_name(client: Any, name: str) -> Pod:
    """The pod called name; NotFound-style error when it is not a seedbed pod."""
    for pod in client.api.containers(
        all=True, filters={"label": naming.LABEL_POD, "name": f"^/{name}$"}
    ):
        if name_of(pod) == name:
            found: Pod = pod
            return found
    raise SeedbedError(
        f"no seedbed pod named {name!r}",
        "list pods with `seedbed pod ls --everywhere`",
        EXIT_NOT_FOUND,
    )


def running(pod: Pod) -> Pod:
    if pod["State"] != "running":
        raise SeedbedError(
            f"pod {name_of(pod)} is {pod['State']}, not running",
            "remove it with `seedbed pod down NAME` and make a new one with"
            " `seedbed pod up`",
            EXIT_FAILED,
        )
    return pod


def worktree_gone(pod: Pod) -> bool:
    """Whether the worktree this pod serves no longer exists on this host.

    `git worktree remove` deletes the folder; a folder that is no longer a
    worktree (its `.git` is gone) counts as gone too.
    """
    raw = pod["Labels"].get(naming.LABEL_WORKTREE, "")
    if not raw:
        return False  # not ours to judge
    worktree = Path(raw)
    return not (worktree / ".git").exists()


def stale(client: Any) -> list[Pod]:
    """Pods made from this host whose worktree is gone.

    Only this host's: another machine sharing the engine has its own paths.
    """
    host = socket.gethostname()
    return [
        pod
        for pod in pods(client)
        if pod["Labels"].get(naming.LABEL_HOST) == host and worktree_gone(pod)
    ]
