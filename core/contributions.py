"""Records plugins hand to seedbed's own commands and to each other: doctor's
checks (with their safe fixes), the files `seedbed init` wrote, and the limits a
worktree's containers get. Part of the contract beside core.types (which is at
its size limit); the hooks returning them are in core.hookspecs:
seedbed_doctor, seedbed_init_files, seedbed_container_limits. Nothing here
imports a plugin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class DoctorCheck:
    """One check's outcome in one place (a store, a tool, a worktree).

    status: ok | info | warn | error. fix: what to run, shown to the user.
    action: applies a safe fix (one that changes only what seedbed made and can
    make again); it may return what it did ("dropped 1 damaged block(s)").
    """

    check: str
    status: str
    message: str
    fix: str = ""
    action: Callable[[], str | None] | None = field(default=None, repr=False)
    worktree: str = ""


@dataclass(frozen=True)
class ContainerLimits:
    """The resources one container for the worktree may use, as the engine
    reads them: memory in bytes, CPUs (fractions allowed: 0.5), processes.

    One plugin says what they are (the pods plugin, from [tool.seedbed.pod]);
    others that start or describe containers (the dev container) use them, so
    every container of a worktree gets the same limits.
    """

    memory_bytes: int
    cpus: float
    pids: int


@runtime_checkable
class WrittenFile(Protocol):
    """What happened to one file a plugin wrote for `seedbed init`.

    status: created | updated | unchanged | skipped (left as it is; init then
    exits 1) | tracked; note: why, or what the user should do.
    """

    @property
    def path(self) -> Path: ...

    @property
    def status(self) -> str: ...

    @property
    def note(self) -> str: ...

    def as_dict(self) -> dict[str, Any]:
        """The file's entry in `seedbed init --json`'s "files"."""
        ...
