"""Find a sibling worktree whose environment this worktree can be built from.

A donor is another worktree of the same repository whose ready marker carries
the same fingerprint (same manager, installer, interpreter version, env dir and
watched files), which is still in sync, not being set up right now, and whose
environment has no path problems. The manager plugin then produces this
worktree's own environment from it (plugins/managers/relocate.py for venvs,
`conda create --clone` for conda): environments are never shared or linked.

Reading markers costs a few file reads per worktree; no process is started.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import state


@dataclass(frozen=True)
class Donor:
    root: Path
    env_dir: Path
    ready: dict[str, Any]


def worktree_roots(common_dir: Path) -> list[Path]:
    """Every worktree of the repository, from git's own files (no process):
    the main one (unless bare) and each `worktrees/*/gitdir`."""
    roots: list[Path] = []
    if common_dir.name == ".git" and (common_dir.parent / ".git").exists():
        roots.append(common_dir.parent)
    linked = common_dir / "worktrees"
    try:
        entries = sorted(linked.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        try:
            gitdir = (entry / "gitdir").read_text().strip()
        except OSError:
            continue
        root = Path(gitdir).parent
        if root.is_dir():
            roots.append(root)
    return roots


def find_donor(root: Path, common_dir: Path, fingerprint: str) -> Donor | None:
    from seedbed.core import repair

    for other in worktree_roots(common_dir):
        if other == root:
            continue
        ready = state.read_ready(other)
        if not ready or ready.get("fingerprint") != fingerprint:
            continue
        if not state.is_in_sync(other) or state.is_locked(other):
            continue
        env_dir = other / str(ready.get("env_dir", ".venv"))
        others = [r for r in worktree_roots(common_dir) if r != other]
        if repair.environment_problems(other, env_dir, others):
            continue
        return Donor(other, env_dir, ready)
    return None
