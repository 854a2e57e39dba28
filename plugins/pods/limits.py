"""How many pods may exist, and the lock that makes counting and creating atomic.

The count comes from the engine itself (every container labelled as a seedbed
pod, running or not), never from a local file that could drift. Counting and
creating happen while holding an exclusive lock on a per-engine file, so two
`pod up` on one machine never both see room for the same slot. Pods made from
another machine are still counted; `provision` re-counts after creating as a
last guard for that case.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from seedbed.core import files
from seedbed.core.errors import EXIT_BUSY, SeedbedError
from seedbed.plugins.pods.engine import engine_address, engine_key
from seedbed.plugins.pods.settings import Limits


@dataclass(frozen=True)
class Usage:
    total: int
    per_env: Mapping[str, int]


class LimitExceeded(SeedbedError):
    def __init__(
        self, limit: str, allowed: int, in_use: int, requested: int, env: str = ""
    ) -> None:
        scope = f" for env {env}" if env else ""
        if limit == "max_per_command":
            what = f"{requested} pods in one command is over {limit} = {allowed}"
        else:
            what = (
                f"{requested} more pod(s){scope} would make {in_use + requested},"
                f" over {limit} = {allowed}"
            )
        super().__init__(
            f"refused, nothing created: {what} ({in_use} in use)",
            f"remove pods with `seedbed pod down`, or raise [tool.seedbed.pod] {limit}",
            EXIT_BUSY,
            {
                "limit": limit,
                "allowed": allowed,
                "in_use": in_use,
                "requested": requested,
            },
        )


def check(limits: Limits, usage: Usage, env: str, requested: int) -> None:
    """Raise LimitExceeded naming the first limit the request would break.

    in_use is the engine-wide count for max_per_command and max_total, the
    env's count for max_per_env.
    """
    if requested > limits.per_command:
        raise LimitExceeded(
            "max_per_command", limits.per_command, usage.total, requested
        )
    if usage.total + requested > limits.total:
        raise LimitExceeded("max_total", limits.total, usage.total, requested)
    in_env = usage.per_env.get(env, 0)
    if in_env + requested > limits.per_env:
        raise LimitExceeded("max_per_env", limits.per_env, in_env, requested, env)


def lock_path() -> Path:
    return files.user_dir("state") / "pods" / f"engine-{engine_key()}.lock"


@contextmanager
def engine_lock() -> Iterator[None]:
    """Hold the per-engine lock; blocks while another `pod up` creates pods."""
    path = lock_path()
    with files.locked(path):
        # Who holds it, for whoever finds a `pod up` waiting.
        path.write_text(f"{os.getpid()} {engine_address()}\n", encoding="utf-8")
        yield
