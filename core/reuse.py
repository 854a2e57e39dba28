"""Find sibling worktrees whose environment this worktree can be built from.

A donor is another worktree of the same repository whose ready marker carries
the same fingerprint (same manager, installer, interpreter version, env dir and
watched files), which is still in sync and not being set up right now. The
manager then produces this worktree's own environment from it
(`Manager.reuse_steps`, which also refuses a donor whose environment has path
problems): environments are never shared or linked.

Reading markers costs a few file reads per worktree; no process is started.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import state
from seedbed.core.gitfacts import iter_worktree_roots


@dataclass(frozen=True)
class Donor:
    root: Path
    env_dir: Path
    ready: dict[str, Any]


def donors(root: Path, common_dir: Path, fingerprint: str) -> Iterator[Donor]:
    """Every sibling whose ready environment has this fingerprint, in the
    order git lists the worktrees."""
    for other in iter_worktree_roots(common_dir):
        if other == root:
            continue
        ready = state.read_ready(other)
        if not ready or ready.get("fingerprint") != fingerprint:
            continue
        if not state.is_in_sync(other) or state.is_locked(other):
            continue
        yield Donor(other, other / str(ready.get("env_dir", ".venv")), ready)
