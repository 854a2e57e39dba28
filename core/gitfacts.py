"""Git facts about a worktree, from git itself, with no heavy imports.

Used by the hook's fast path (which must not import click, pluggy or GitPython)
and by Workspace.discover. What can be read from git's own files without a
process (the worktree's git dir, the common dir, the git variables a child
must not inherit: `clean_git_env`) is core/quickstate.py's.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seedbed.core.errors import SetupError


def newline_in_path(cwd: Path) -> SetupError:
    return SetupError(
        f"{str(cwd)!r}: the worktree's path (or its repository's) holds a "
        "newline; seedbed cannot set up such a worktree, so it did nothing; "
        "move it to a path without one (git worktree move)",
        "git worktree move OLD NEW, then `seedbed setup` there",
    )


@dataclass(frozen=True)
class GitFacts:
    root: Path
    git_dir: Path
    common_dir: Path
    branch: str  # "" when detached or unborn

    @property
    def is_main(self) -> bool:
        return self.git_dir == self.common_dir

    @property
    def id(self) -> str:
        return hashlib.sha1(str(self.root).encode()).hexdigest()[:12]

    @property
    def slug(self) -> str:
        """A name safe for files, databases and containers: ascii, lower, dashes."""
        base = re.sub(r"[^a-z0-9]+", "-", self.root.name.lower()).strip("-") or "wt"
        return f"{base[:40]}-{self.id[:6]}"

    @property
    def repository(self) -> str:
        """The repository's name: the main worktree's folder (or a bare repo's)."""
        common = self.common_dir
        return (
            common.parent.name
            if common.name == ".git"
            else common.name.removesuffix(".git")
        )

    @staticmethod
    def read(cwd: Path) -> GitFacts | None:
        """None when cwd is not inside a git worktree."""
        handed = _take_handed(cwd)
        if handed is not None:
            return handed
        argv = [
            "git",
            "rev-parse",
            "--path-format=absolute",
            "--show-toplevel",
            "--git-dir",
            "--git-common-dir",
        ]
        try:
            out = subprocess.run(
                [*argv, "--abbrev-ref", "HEAD"],
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:  # unborn HEAD: no branch to abbreviate yet
                out = subprocess.run(
                    argv, cwd=cwd, capture_output=True, text=True, check=False
                )
        except (FileNotFoundError, NotADirectoryError):
            return None
        lines = out.stdout.split("\n")[:-1]  # one per answer; never split on \r
        if out.returncode != 0 or len(lines) < 3:
            return None
        answers = 4 if "--abbrev-ref" in out.args else 3
        if len(lines) > answers:
            # More lines than answers: a path holds a newline, and no tool
            # (git's own output, sh, activate scripts) can carry it safely.
            raise newline_in_path(cwd)
        branch = lines[3] if len(lines) > 3 and lines[3] != "HEAD" else ""
        if not branch and len(lines) == 3:
            branch = _unborn_branch(Path(lines[1]))
        return GitFacts(
            root=Path(lines[0]),
            git_dir=Path(lines[1]),
            common_dir=Path(lines[2]),
            branch=branch,
        )


_handed: list[GitFacts] = []


def hand_on(facts: GitFacts) -> None:
    """Answer the next read of facts.root with facts, once: the git hook has
    just read them and loading the App reads them again (a `git rev-parse`,
    5-20 ms on a busy machine). Nothing changes the worktree in between."""
    _handed[:] = [facts]


def _take_handed(cwd: Path) -> GitFacts | None:
    if _handed and _handed[0].root == cwd:
        return _handed.pop()
    _handed.clear()  # a read of another place: the hand-on is stale
    return None


def _unborn_branch(git_dir: Path) -> str:
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return ""
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref:") else ""


def worktree_roots(common_dir: Path) -> list[Path]:
    """Every worktree of the repository, from git's own files (no process):
    the main one (unless bare) and each `worktrees/*/gitdir`."""
    return list(iter_worktree_roots(common_dir))


def iter_worktree_roots(common_dir: Path) -> Iterator[Path]:
    """worktree_roots, one at a time: a search that stops at its first match
    (a reuse donor) reads no more gitdir files than it needs."""
    if common_dir.name == ".git" and (common_dir.parent / ".git").exists():
        yield common_dir.parent
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
            yield root
