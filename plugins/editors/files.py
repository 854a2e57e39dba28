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
import subprocess
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
    # "created" | "updated" | "unchanged" | "skipped" | "tracked" (git tracks
    # the file here or on a branch: never written, never excluded)
    status: str
    kept: tuple[str, ...] = ()  # the user's values seedbed did not override
    note: str = ""  # why a file was skipped, or what the user should do
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.status in ("created", "updated")

    def as_dict(self) -> dict[str, Any]:
        # "result", not "status": that word is the JSON contract's verdicts.
        return {
            "path": str(self.path),
            "result": self.status,
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


def tracked_on(root: Path, relative: str) -> str:
    """A local branch (or HEAD) whose tree has relative, or "" when none has.

    A file some branch tracks is never created untracked here: checking that
    branch out would stop on it, and an exclude line would make `git add` of
    it fail where it is meant to be committed.
    """

    def git(*args: str, given: str | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            input=given,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else ""

    refs = ["HEAD", *git("for-each-ref", "--format=%(refname)", "refs/heads").split()]
    # One process answers for every branch: `<ref>:<path>` is missing or not.
    answers = git(
        "cat-file",
        "--batch-check",
        given="".join(f"{ref}:{relative}\n" for ref in refs),
    ).splitlines()
    for ref, answer in zip(refs, answers, strict=False):
        if not answer.endswith("missing"):
            return ref.removeprefix("refs/heads/")
    return ""


def left_alone(root: Path, relative: str) -> Written | None:
    """A "tracked" record when git tracks relative here (seedbed never changes
    a tracked file), or when it is missing here and a branch tracks it (seedbed
    does not create it untracked); None when seedbed may write it."""
    path = root / relative
    if tracked(root, relative):
        return Written(
            path, "tracked", note="tracked by git: left byte for byte as it is"
        )
    if path.exists() or path.is_symlink():
        return None
    branch = tracked_on(root, relative)
    if branch:
        return Written(
            path,
            "tracked",
            note=f"not created: branch {branch} tracks it (an untracked copy"
            " would dirty git and block that checkout)",
        )
    return None


def exclude(common_dir: Path, root: Path, relatives: list[str]) -> list[str]:
    """Add untracked files seedbed made to info/exclude (shared by every
    worktree); the patterns added."""
    wanted = [f"/{r}" for r in relatives if not tracked(root, r)]
    if not wanted:
        return []
    return files.exclude(common_dir, wanted)


def unexclude(common_dir: Path, relatives: list[str]) -> list[str]:
    """Remove seedbed's info/exclude lines naming files git now tracks (an
    ignored path needs `git add -f`); the patterns removed."""
    path = common_dir / "info" / "exclude"
    doomed = {f"/{r}" for r in relatives}
    if not doomed or not path.is_file():
        return []
    with files.locked(common_dir / "info" / "exclude.seedbed-lock"):
        lines = path.read_text().splitlines(keepends=True)
        if files.EXCLUDE_HEADER + "\n" not in lines:
            return []
        start = lines.index(files.EXCLUDE_HEADER + "\n")
        kept = lines[: start + 1]
        removed = []
        for line in lines[start + 1 :]:
            if line.rstrip("\n") in doomed:
                removed.append(line.rstrip("\n"))
            else:
                kept.append(line)
        if removed:
            files.write_atomic(path, "".join(kept))
    return removed
