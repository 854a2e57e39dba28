"""Pod names and labels: how seedbed recognises its own containers.

A pod is named `seedbed-<env>-<YYYYMMDD-HHMMSS>-<n>` and carries labels that
record where it came from; every listing filters on LABEL_POD, so seedbed never
touches a container it did not create.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from seedbed.core.errors import EXIT_USAGE, SeedbedError

LABEL_POD = "seedbed.pod"
LABEL_REPOSITORY = "seedbed.repository"
LABEL_WORKTREE = "seedbed.worktree"
LABEL_SLUG = "seedbed.worktree-slug"
LABEL_BRANCH = "seedbed.branch"
LABEL_COMMON_DIR = "seedbed.common-dir"
LABEL_ENV = "seedbed.env"
LABEL_OWNER = "seedbed.owner"
LABEL_HOST = "seedbed.host"

POD_FILTER: Mapping[str, str] = {"label": LABEL_POD}

_ENV_NAME = re.compile(r"^[a-z0-9][a-z0-9_.]{0,30}$")


def check_env_name(env: str) -> str:
    # Dashes would make `seedbed-<env>-<stamp>-<n>` ambiguous to read back.
    if not _ENV_NAME.match(env):
        raise SeedbedError(
            f"env {env!r} is not a valid environment name",
            "use lower-case letters, digits, '_' or '.', e.g. --env python",
            EXIT_USAGE,
        )
    return env


def stamp(at: float | None = None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(at))


@dataclass(frozen=True)
class PodName:
    env: str
    stamp: str
    number: int

    def __str__(self) -> str:
        return f"seedbed-{self.env}-{self.stamp}-{self.number}"


def allocate(env: str, when: str, count: int, taken: Iterable[str]) -> list[PodName]:
    """count new names for env at stamp `when`, after any already taken.

    Two `pod up` in the same second get distinct numbers because allocation
    happens under the engine lock (see limits.py) against the live list.
    """
    prefix = f"seedbed-{env}-{when}-"
    used = [
        int(name[len(prefix) :])
        for name in taken
        if name.startswith(prefix) and name[len(prefix) :].isdigit()
    ]
    first = max(used, default=0) + 1
    return [PodName(env, when, first + offset) for offset in range(count)]
