"""What the resources family tells `seedbed doctor` and `seedbed ls`: whether
the per-user port registry is sound (the fix drops the damaged blocks), and
each worktree's port and database."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core.contributions import DoctorCheck

FIX_STATE = "seedbed doctor --fix"


def doctor() -> list[DoctorCheck]:
    """The port registry's problems, with the repair as the safe fix."""
    from seedbed.plugins.resources.ports import Registry

    registry = Registry()
    problems = registry.problems()
    if not problems:
        return []
    return [
        DoctorCheck(
            "ports",
            "error",
            f"{registry.path}: {'; '.join(problems)}",
            FIX_STATE + " (drops the damaged blocks)",
            registry.repair,
        )
    ]


def summary(
    common_dir: Path, worktrees: Sequence[Path]
) -> dict[Path, Mapping[str, Any]]:
    """Each worktree's first port (an integer) and database name, from the
    registries; a registry missing or being rewritten gives no value."""
    from seedbed.plugins.resources.database import Records
    from seedbed.plugins.resources.ports import Registry

    databases: dict[str, Any] = {}
    with contextlib.suppress(OSError):
        databases = dict(Records(common_dir).all())
    registry = Registry()
    found: dict[Path, Mapping[str, Any]] = {}
    for path in worktrees:
        columns: dict[str, Any] = {}
        with contextlib.suppress(Exception):  # a registry being rewritten
            block = registry.get(path)
            if block:
                columns["port"] = int(block.start)
        database = databases.get(str(path))
        if database is not None:
            columns["database"] = str(getattr(database, "name", database))
        if columns:
            found[path] = columns
    return found
