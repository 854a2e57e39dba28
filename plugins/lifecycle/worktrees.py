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
    """git's worktrees; outside a repository a NotARepositoryError (exit 4)."""
    from seedbed.core.errors import NotARepositoryError
    from seedbed.core.gitfacts import GitFacts

    if GitFacts.read(cwd) is None:
        raise NotARepositoryError(str(cwd))
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


# ---------------------------------------------------------------------------
# One resolver for `--worktree W`: a path, a branch, a folder name or the slug
# ---------------------------------------------------------------------------


def slug_of(path: Path) -> str:
    """The worktree's slug (core.gitfacts' formula: folder name + path hash)."""
    from seedbed.core.gitfacts import GitFacts

    return GitFacts(root=path, git_dir=path, common_dir=path, branch="").slug


def _names(tree: Worktree) -> dict[str, str]:
    return {
        "path": str(tree.path),
        "branch": tree.branch,
        "folder": tree.path.name,
        "slug": slug_of(tree.path),
    }


def resolve(spec: str, cwd: Path, worktrees: list[Worktree] | None = None) -> Worktree:
    """The worktree spec names: a path (to it or inside it), a branch, a folder
    name or the slug, tried in that order; the first kind that matches decides.

    Not found or ambiguous: a SeedbedError (exit 10) listing the candidates.
    """
    from seedbed.core.errors import EXIT_NOT_FOUND, SeedbedError

    trees = list_worktrees(cwd) if worktrees is None else worktrees
    trees = [tree for tree in trees if not tree.bare]
    candidate = Path(spec).expanduser()
    if not candidate.is_absolute():
        candidate = cwd / candidate
    if spec and ("/" in spec or spec in (".", "..")) and candidate.exists():
        real = Path(os.path.realpath(candidate))
        inside = [
            tree
            for tree in trees
            if real == Path(os.path.realpath(tree.path))
            or Path(os.path.realpath(tree.path)) in real.parents
        ]
        if inside:  # the innermost worktree that holds the path
            return max(inside, key=lambda tree: len(str(tree.path)))
    for kind in ("path", "branch", "folder", "slug"):
        found = [tree for tree in trees if spec and _names(tree)[kind] == spec]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise SeedbedError(
                f"worktree {spec!r} is ambiguous: {len(found)} worktrees have that "
                f"{kind}",
                "name one of them by path or slug:\n" + _listing(found),
                EXIT_NOT_FOUND,
                {"worktree": spec, "candidates": [_names(t) for t in found]},
            )
    raise SeedbedError(
        f"no worktree named {spec!r} (a path, branch, folder name or slug)",
        "the worktrees of this repository:\n" + _listing(trees),
        EXIT_NOT_FOUND,
        {"worktree": spec, "candidates": [_names(t) for t in trees]},
    )


def _listing(trees: list[Worktree]) -> str:
    return "\n".join(
        f"{tree.path}  branch {tree.branch or '(detached)'}  slug {slug_of(tree.path)}"
        for tree in trees
    )


def slug_for(spec: str, cwd: Path) -> str:
    """The slug for a `--worktree` filter over recorded runs: the worktree spec
    names, or spec itself when no live worktree matches (the runs of a removed
    worktree keep its slug)."""
    from seedbed.core.errors import SeedbedError

    try:
        return slug_of(resolve(spec, cwd).path)
    except SeedbedError as exc:
        if "ambiguous" in exc.message:
            raise
        return spec
