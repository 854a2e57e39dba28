"""Every worktree of the repository, as git lists them (`git worktree list
--porcelain`), and what seedbed knows about each from its state files.

Git facts come from git through GitPython (imported when a command runs, never
when the plugin loads).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import state


@dataclass(frozen=True)
class Worktree:
    path: Path
    head: str = ""
    branch: str = ""  # "" when detached
    main: bool = False  # the first one git lists
    bare: bool = False
    locked: bool = False
    prunable: bool = False  # git says its folder is gone

    @property
    def gone(self) -> bool:
        return self.prunable or not self.path.is_dir()


def git_output(cwd: Path, *args: str) -> str:
    """stdout of `git ARGS` in cwd (GitPython runs git with an argv list)."""
    import git

    return str(git.Git(str(cwd)).execute(["git", *args]))


def parse_porcelain(text: str) -> list[Worktree]:
    found: list[Worktree] = []
    fields: dict[str, str] = {}

    def flush() -> None:
        if "worktree" in fields:
            branch = fields.get("branch", "")
            found.append(
                Worktree(
                    path=Path(fields["worktree"]),
                    head=fields.get("HEAD", ""),
                    branch=branch.removeprefix("refs/heads/"),
                    main=not found,
                    bare="bare" in fields,
                    locked="locked" in fields,
                    prunable="prunable" in fields,
                )
            )
        fields.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            continue
        key, _, value = line.partition(" ")
        fields[key] = value
    flush()
    return found


def list_worktrees(cwd: Path) -> list[Worktree]:
    return parse_porcelain(git_output(cwd, "worktree", "list", "--porcelain"))


def live_paths(worktrees: list[Worktree]) -> list[Path]:
    """Every path git still lists (a prunable one too: its folder may be on an
    unmounted disk, and `git worktree prune` is git's decision, not gc's)."""
    return [w.path for w in worktrees]


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under path, each inode once, links not followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for entry in _walk(path):
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            continue
        seen.add(key)
        total += info.st_blocks * 512
    return total


def _walk(path: Path) -> Iterator[os.DirEntry[str]]:
    stack = [str(path)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)


def env_dir(root: Path, default: str = ".venv") -> Path:
    ready = state.read_ready(root) or {}
    return root / str(ready.get("env_dir") or default)


def last_setup(root: Path) -> dict[str, Any]:
    """When the last setup finished (or started), its status and manager."""
    last = state.read_json(state.state_dir(root) / state.LAST) or {}
    ready = state.read_ready(root) or {}
    at = last.get("finished_at") or last.get("started_at") or ready.get("finished_at")
    return {
        "at": at,
        "status": last.get("status", ""),
        "manager": ready.get("manager") or last.get("manager") or "",
    }
