"""Which files a gate looks at when pre-commit did not name them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from seedbed.core import runner

WORKTREEINCLUDE = ".worktreeinclude"


def git_lines(root: Path, *args: str) -> list[str]:
    """A git command's output lines (empty when it fails)."""
    argv = ["git", "-c", "core.quotePath=off", *args]
    with tempfile.TemporaryFile() as log:
        result = runner.run_argv("git", argv, cwd=root, log=log, timeout=120)
        log.seek(0)
        lines = log.read().decode("utf-8", "replace").splitlines()
    if not result.ok:
        return []
    # Drop the runner's "$ argv" and "# exit N" framing.
    return [line for line in lines[1:-1] if line]


def staged(root: Path) -> list[str]:
    return git_lines(root, "diff", "--cached", "--name-only", "--diff-filter=ACMR")


def tracked(root: Path) -> list[str]:
    return git_lines(root, "ls-files")


def worktree_included(root: Path) -> list[str]:
    """The untracked files `.worktreeinclude` names (gitignore syntax), which
    seedbed copies into every new worktree: a secret there spreads to all."""
    if not (root / WORKTREEINCLUDE).is_file():
        return []
    return git_lines(
        root, "ls-files", "--others", "--ignored", f"--exclude-from={WORKTREEINCLUDE}"
    )


def python_sources(root: Path) -> list[str]:
    """The project's Python files: tracked, plus new ones git does not ignore
    (never an environment or a cache folder inside the worktree)."""
    return git_lines(
        root, "ls-files", "-co", "--exclude-standard", "--", "*.py", "*.pyi"
    )
