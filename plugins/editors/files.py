"""Writing the files editors and agent tools read: only when the text changes,
atomically, and never over what the user wrote (callers merge first).

A file seedbed creates in a worktree and git does not track is added to the
repository's info/exclude, so `git status` stays clean in every worktree and
`git add -A` never commits a file whose content differs per worktree (a port).

Every file is first checked with `leads_out`: a branch may track `.vscode` (or
the file itself) as a symlink to a folder outside the worktree, and seedbed
neither reads nor writes through it (the file is reported as skipped).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core import files, runner
from seedbed.core.assets import asset_dir
from seedbed.core.paths import inside


@dataclass(frozen=True)
class Written:
    """What happened to one file: created, updated, unchanged or left alone."""

    path: Path
    status: str  # "created" | "updated" | "unchanged" | "skipped"
    kept: tuple[str, ...] = ()  # the user's values seedbed did not override
    note: str = ""  # why a file was skipped, or what the user should do
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.status in ("created", "updated")

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "status": self.status,
            "kept": list(self.kept),
            "note": self.note,
            **self.extra,
        }


def leads_out(root: Path, relative: str) -> Written | None:
    """A "skipped" record when root/relative, symlinks resolved, is outside
    root (nothing is read or written there); None when it is inside."""
    path = root / relative
    if inside(path, root):
        return None
    return Written(
        path,
        "skipped",
        note=f"leads out of the worktree (to {os.path.realpath(path)}) through a "
        "symlink; not written",
    )


def template(*parts: str) -> str:
    return asset_dir("templates").joinpath(*parts).read_text()


def fill(text: str, values: dict[str, str]) -> str:
    """Replace @NAME@ placeholders; every placeholder must be given."""
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = set(re.findall(r"@([A-Z_]+)@", text))
    if left:
        raise ValueError(f"template placeholders not filled: {sorted(left)}")
    return text


def read(path: Path) -> str | None:
    """The file's text; None when it is missing or blank (an editor may leave
    an empty settings.json behind: it is filled like a new one)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    return text if text.strip() else None


def save(path: Path, old: str | None, new: str, **extra: Any) -> Written:
    """Write new when it differs from old (None: the file did not exist)."""
    if old == new:
        return Written(path, "unchanged", **extra)
    mode = 0o644
    if old is not None:  # keep the user's permissions
        with contextlib.suppress(OSError):
            mode = path.stat().st_mode & 0o7777
    files.write_atomic(path, new, mode)
    return Written(path, "created" if old is None else "updated", **extra)


def tracked(root: Path, relative: str) -> bool:
    """Whether git tracks root/relative (a tracked file must not be excluded)."""
    result = runner.run_argv(
        "git ls-files", ["git", "ls-files", "--error-unmatch", "--", relative], root
    )
    return result.ok


def exclude(common_dir: Path, root: Path, relatives: list[str]) -> list[str]:
    """Add untracked files seedbed made to info/exclude (shared by every
    worktree); the patterns added."""
    wanted = [f"/{r}" for r in relatives if not tracked(root, r)]
    if not wanted:
        return []
    return files.exclude(common_dir, wanted)
