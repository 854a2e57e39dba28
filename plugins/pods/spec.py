"""What one pod is: its name, labels, mounts, limits and hardening, as SDK kwargs.

Hardening is the default, not an option: the host user's uid:gid, a read-only
root filesystem with tmpfs scratch, every capability dropped, no-new-privileges,
and no network unless pod.network asks for one.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.errors import EXIT_CONFIG, SeedbedError
from seedbed.plugins.pods import naming
from seedbed.plugins.pods.settings import PodSettings

HOME = "/home/seedbed"
VENV = f"{HOME}/.venv"


@dataclass(frozen=True)
class Origin:
    """The worktree a pod serves (what the labels record)."""

    worktree: Path
    common_dir: Path
    repository: str
    slug: str
    branch: str

    @classmethod
    def of(cls, workspace: Any) -> Origin:
        facts = workspace.facts
        return cls(
            worktree=Path(workspace.root),
            common_dir=Path(workspace.common_dir),
            repository=str(facts.repository),
            slug=str(facts.slug),
            branch=str(facts.branch),
        )

    def mount_paths(self) -> list[Path]:
        """The worktree, plus the common git dir when it lies outside it.

        Both at their host paths: a linked worktree's `.git` file names the
        common dir by absolute path, so git inside works unchanged.
        """
        paths = [self.worktree]
        if not self.common_dir.is_relative_to(self.worktree):
            paths.append(self.common_dir)
        return paths


def pod_user(settings: PodSettings, worktree: Path) -> str:
    """uid:gid the pod runs as: pod.user, else the host user, never root by chance.

    When seedbed itself runs as root (CI, sudo), the worktree's owner is the
    user whose files the pod writes; a root-owned worktree needs pod.user.
    """
    if settings.user:
        return settings.user
    if os.getuid() != 0:
        return f"{os.getuid()}:{os.getgid()}"
    owner = worktree.stat()
    if owner.st_uid != 0:
        return f"{owner.st_uid}:{owner.st_gid}"
    raise SeedbedError(
        f"seedbed runs as root and {worktree} is owned by root: refusing to run"
        " pods as root",
        'set [tool.seedbed.pod] user = "UID:GID" (a non-root user that may write'
        ' the worktree), or user = "0:0" to accept root inside the pod',
        EXIT_CONFIG,
    )


def owner_label() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "?"
    return f"{name}:{os.getuid()}"


def labels(origin: Origin, env: str) -> dict[str, str]:
    return {
        naming.LABEL_POD: "1",
        naming.LABEL_REPOSITORY: origin.repository,
        naming.LABEL_WORKTREE: str(origin.worktree),
        naming.LABEL_SLUG: origin.slug,
        naming.LABEL_BRANCH: origin.branch,
        naming.LABEL_COMMON_DIR: str(origin.common_dir),
        naming.LABEL_ENV: env,
        naming.LABEL_OWNER: owner_label(),
        naming.LABEL_HOST: socket.gethostname(),
    }


def create_kwargs(
    name: str,
    image: str,
    origin: Origin,
    env: str,
    settings: PodSettings,
    user: str,
) -> dict[str, Any]:
    """Keyword arguments for `client.containers.create`."""
    from docker.types import Mount

    scratch = f"rw,nosuid,nodev,size={settings.scratch_bytes},mode=1777"
    return {
        "image": image,
        "name": name,
        "detach": True,
        "labels": labels(origin, env),
        "working_dir": str(origin.worktree),
        "environment": {
            "SEEDBED_POD": name,
            "SEEDBED_ENV": env,
            "SEEDBED_WORKTREE": str(origin.worktree),
            "SEEDBED_VENV": VENV,
            "HOME": HOME,
        },
        "mounts": [
            Mount(target=str(path), source=str(path), type="bind")
            for path in origin.mount_paths()
        ],
        # tini as PID 1: forwards `docker stop` and reaps what `pod exec` leaves.
        "init": True,
        "user": user,
        "read_only": True,
        # Not noexec: the venv's scripts live in HOME. Tmpfs pages count
        # against the memory limit, so scratch cannot outgrow the pod.
        "tmpfs": {"/tmp": scratch, HOME: scratch},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "network_mode": "bridge" if settings.network else "none",
        "mem_limit": settings.memory_bytes,
        # Equal to mem_limit: no swap on top of the limit.
        "memswap_limit": settings.memory_bytes,
        "nano_cpus": int(settings.cpus * 1_000_000_000),
        "pids_limit": settings.pids,
    }
