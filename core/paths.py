"""Paths that come from configuration or repository content stay inside a folder.

A branch is untrusted input: `.seedbed.toml`, `[tool.seedbed]`, `.worktreeinclude`
and the files a checkout brings may name `/home/me`, `../other`, or a tracked
symlink that points out of the worktree. Every such path goes through
`relative_setting` (checked as text, at validation: a ConfigKey with
`path=True`), then `confine` (joined to the worktree, symlinks resolved) or
`inside` (a path on disk) before seedbed reads, writes or deletes anything
there. `symlink_on_the_way` is stricter, for writes that must not pass through
any symlink at all (`.worktreeinclude` targets).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from seedbed.core.errors import ConfigError

EXPECTED = "a path relative to the worktree, inside it"


def path_problem(value: str) -> str:
    """Why value cannot name a place inside the worktree, or "" when it can."""
    parts = PurePosixPath(value).parts
    if "\0" in value or "\n" in value or "\r" in value:
        return "holds a NUL or newline character"
    if not value.strip():
        return "is empty"
    if value.startswith("~"):
        return "starts with ~ (a home folder)"
    if os.path.isabs(value):
        return "is absolute"
    if ".." in parts:
        return "leaves the worktree through `..`"
    if all(part == "." for part in parts):
        return "is the worktree itself"
    return ""


def relative_setting(value: str, where: str, key: str) -> str:
    """A configured relative path, checked as text: not empty, not absolute,
    no `..` part, not the folder itself. Returns it normalised (`./a/` is
    `a`); a ConfigError (exit 3) names where and key otherwise."""
    problem = path_problem(value)
    if problem:
        raise ConfigError(
            f"{where}: key '{key}': expected {EXPECTED}, got {value!r} ({problem})",
            "use a path inside the worktree, e.g. .venv; nothing was changed",
            file=where,
            key=key,
        )
    parts = [part for part in PurePosixPath(value).parts if part != "."]
    return str(PurePosixPath(*parts))


def inside(path: Path, folder: Path) -> bool:
    """Whether path, with every symlink resolved, is folder or below it."""
    real = os.path.realpath(path)
    base = os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def confine(folder: Path, relative: str, where: str, key: str) -> Path:
    """folder/relative, refused (ConfigError, exit 3) when the text or a
    symlink on the way leads out of folder, or back to folder itself (an
    env_dir that resolves to the worktree would have it rebuilt, or removed)."""
    path = folder / relative_setting(relative, where, key)
    if not inside(path, folder) or os.path.realpath(path) == os.path.realpath(folder):
        raise ConfigError(
            f"{where}: key '{key}': {relative!r} leads out of {folder} or back "
            f"to it (through a symlink, to {os.path.realpath(path)})",
            "remove the symlink or choose another path; nothing was changed",
            file=where,
            key=key,
        )
    return path


def symlink_on_the_way(folder: Path, relative: str) -> str:
    """The first part of relative (below folder) that is a symlink, as a
    relative path, or "" when every existing part is a real file or folder.

    Stricter than `inside`: even a symlink that points back inside is
    reported, for writes that must not depend on where links point."""
    current = folder
    walked: list[str] = []
    for part in PurePosixPath(relative).parts:
        current = current / part
        walked.append(part)
        if current.is_symlink():
            return "/".join(walked)
        if not current.exists():
            break
    return ""
