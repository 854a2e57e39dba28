"""`.worktreeinclude`: copy files git does not carry into a new worktree.

The convention several worktree tools share: a `.worktreeinclude` file at the
root, in gitignore syntax, lists files (typically ignored ones such as `.env`)
to copy from the main worktree into a new linked one. Only files git ignores
are candidates (tracked files arrive with the checkout); a file that already
exists is never overwritten; environment folders (a pyvenv.cfg or conda-meta
inside), `.git` and seedbed's own state are never copied.

Patterns are matched with the `pathspec` library (git's wildmatch rules,
negation, anchoring, directory patterns), not by hand.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from core import runner

FILE = ".worktreeinclude"
NEVER = frozenset({".git", ".seedbed"})


@dataclass(frozen=True)
class Copied:
    copied: tuple[str, ...]
    skipped: tuple[str, ...]  # present already, or an environment folder


def main_worktree(common_dir: Path) -> Path | None:
    if common_dir.name == ".git" and (common_dir.parent / ".git").is_dir():
        return common_dir.parent
    return None


def is_environment(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file() or (folder / "conda-meta").is_dir()


@dataclass(frozen=True)
class Patterns:
    lines: tuple[str, ...]
    spec: pathspec.GitIgnoreSpec

    def match(self, relative: str) -> bool:
        return bool(self.spec.match_file(relative))

    def reaches_into(self, folder: str) -> bool:
        """Whether a pattern names something inside folder explicitly. Folders
        git ignores wholesale (node_modules, build) are walked only then, or
        when they match themselves."""
        prefix = folder.rstrip("/") + "/"
        return any(
            line.strip().lstrip("!").lstrip("/").startswith(prefix)
            for line in self.lines
        )


def read_patterns(root: Path, source: Path) -> Patterns | None:
    """The patterns: this worktree's .worktreeinclude, else the source's."""
    for folder in (root, source):
        path = folder / FILE
        if path.is_file():
            lines = tuple(path.read_text(errors="replace").splitlines())
            return Patterns(lines, pathspec.GitIgnoreSpec.from_lines(lines))
    return None


def ignored_paths(source: Path) -> list[str]:
    """Ignored files and (collapsed) folders of the source worktree, from git."""
    result = runner.run_argv(
        "git ls-files",
        [
            "git",
            "-c",
            "core.quotepath=off",
            "ls-files",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
            "-z",
        ],
        cwd=source,
        timeout=60,
    )
    if not result.ok:
        return []
    # output_tail keeps the last lines only: read everything from git again
    # would cost a second process; -z output is one "line" (no newlines).
    return [p for p in result.output_tail.split("\0") if p]


def apply(root: Path, common_dir: Path) -> Copied:
    """Copy what .worktreeinclude lists from the main worktree into root."""
    source = main_worktree(common_dir)
    if source is None or source == root:
        return Copied((), ())
    spec = read_patterns(root, source)
    if spec is None:
        return Copied((), ())
    copied: list[str] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for relative in _candidates(source, ignored_paths(source), spec):
        if relative in seen:  # git may list a folder and a file inside it
            continue
        seen.add(relative)
        origin = source / relative
        target = root / relative
        if target.exists() or target.is_symlink():
            skipped.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            os.symlink(os.readlink(origin), target)
        else:
            shutil.copy2(origin, target)
        copied.append(relative)
    return Copied(tuple(copied), tuple(skipped))


def _candidates(source: Path, ignored: list[str], spec: Patterns) -> Iterator[str]:
    for entry in ignored:
        relative = entry.rstrip("/")
        if not relative or relative.split("/")[0] in NEVER:
            continue
        path = source / relative
        if path.is_dir() and not path.is_symlink():
            if is_environment(path):
                continue
            whole = spec.match(relative + "/") or spec.match(relative)
            if whole or spec.reaches_into(relative):
                yield from _walk(source, relative, spec)
        elif spec.match(relative):
            yield relative


def _walk(source: Path, folder: str, spec: Patterns) -> Iterator[str]:
    """Files under an ignored folder that match (gitignore semantics: a file
    under a matched folder matches), skipping environments."""
    for current, dirs, files in os.walk(source / folder):
        here = Path(current)
        dirs[:] = sorted(
            d for d in dirs if d not in NEVER and not is_environment(here / d)
        )
        for name in sorted(files):
            relative = (here / name).relative_to(source).as_posix()
            if spec.match(relative):
                yield relative
