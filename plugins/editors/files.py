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
import contextvars
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core import files
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


def save(
    path: Path, old: str | None, new: str, durable: bool = True, **extra: Any
) -> Written:
    """Write new when it differs from old (None: the file did not exist).
    durable=False: a file created here (old None) is written without fsync."""
    if old == new:
        return Written(path, "unchanged", **extra)
    mode = 0o644
    if old is not None:  # keep the user's permissions
        with contextlib.suppress(OSError):
            mode = path.stat().st_mode & 0o7777
    # A file a setup creates is all template, so the setup's writers skip the
    # fsync (a new worktree creates two or three): one a crash leaves empty is
    # filled again like a new one (see `read`). A file that was there holds
    # what the user wrote, merged: that write stays durable.
    files.write_atomic(path, new, mode, durable=durable or old is not None)
    return Written(path, "created" if old is None else "updated", **extra)


@dataclass(frozen=True)
class Tracking:
    """What git says about some paths of a worktree, asked once for them all:
    which it tracks here, and for those missing here, a branch tracking it.

    The branches are looked up (for-each-ref, cat-file) at the first `branch`
    question, for every missing path at once: a setup whose files all exist
    (every one after the first) asks git nothing more than ls-files."""

    root: Path
    tracked: frozenset[str]
    missing: tuple[str, ...] = ()  # untracked and absent here
    asked: frozenset[str] = frozenset()  # every path git was asked about
    # Filled once, at the first `branch` call: relative → a local branch (or
    # HEAD) whose tree has it.
    _on_branch: dict[str, str] = field(default_factory=dict, compare=False)
    _looked_up: list[bool] = field(default_factory=list, compare=False)

    def branch(self, relative: str) -> str:
        if relative not in self.missing:
            return ""
        if not self._looked_up:
            self._on_branch.update(_on_branches(self.root, self.missing))
            self._looked_up.append(True)
        return self._on_branch.get(relative, "")


_KNOWN: contextvars.ContextVar[Tracking | None] = contextvars.ContextVar(
    "seedbed_editor_tracking", default=None
)


@contextlib.contextmanager
def known(facts: Tracking) -> Iterator[None]:
    """Answer tracked/left_alone from facts inside the block (a writer that
    is not handed them, e.g. the devcontainer's, asks no git either)."""
    token = _KNOWN.set(facts)
    try:
        yield
    finally:
        _KNOWN.reset(token)


def tracking(root: Path, relatives: Sequence[str]) -> Tracking:
    """One `git ls-files` for every path; for the untracked ones missing here,
    one `git for-each-ref` and one `git cat-file --batch-check` for all of
    them together, when a branch is first asked about (no process at all for
    no paths)."""
    given = _KNOWN.get()
    if given is not None and given.root == root and set(relatives) <= given.asked:
        return given
    if not relatives:
        return Tracking(root, frozenset())
    # -z: names as they are (no quoting); a folder's name lists its files.
    listed = _git(root, "ls-files", "-z", "--", *relatives).split("\0")
    found = frozenset(
        rel
        for rel in relatives
        if any(name == rel or name.startswith(rel + "/") for name in listed if name)
    )
    missing = tuple(
        rel
        for rel in relatives
        if rel not in found and not ((root / rel).exists() or (root / rel).is_symlink())
    )
    return Tracking(root, found, missing, frozenset(relatives))


def _on_branches(root: Path, relatives: Sequence[str]) -> dict[str, str]:
    """For each relative path, the first of HEAD and the local branches whose
    tree has it. A file some branch tracks is never created untracked here:
    checking that branch out would stop on it, and an exclude line would make
    `git add` of it fail where it is meant to be committed."""
    if not relatives:
        return {}
    # Branches made for worktrees mostly share a few trees: each tree is
    # asked once (`<tree>:<path>`), however many branches point at it.
    listed = _git(
        root, "for-each-ref", "--format=%(tree) %(refname:short)", "refs/heads"
    )
    names = {"HEAD": "HEAD"}  # what to ask → the branch to name
    for line in listed.splitlines():
        tree, _, branch = line.partition(" ")
        if tree and branch:
            names.setdefault(tree, branch)
    asked = [(rel, what) for rel in relatives for what in names]
    # One process answers for every pair: `<tree>:<path>` is missing or not.
    answers = _git(
        root,
        "cat-file",
        "--batch-check",
        given="".join(f"{what}:{rel}\n" for rel, what in asked),
    ).splitlines()
    found: dict[str, str] = {}
    for (rel, what), answer in zip(asked, answers, strict=False):
        if rel not in found and not answer.endswith("missing"):
            found[rel] = names[what]
    return found


def _git(root: Path, *args: str, given: str | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        input=given,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else ""


def tracked(root: Path, relative: str) -> bool:
    """Whether git tracks root/relative (a tracked file must not be excluded)."""
    return relative in tracking(root, [relative]).tracked


def tracked_on(root: Path, relative: str) -> str:
    """A local branch (or HEAD) whose tree has relative, or "" when none has."""
    return _on_branches(root, [relative]).get(relative, "")


def left_alone(
    root: Path, relative: str, facts: Tracking | None = None
) -> Written | None:
    """A "tracked" record when git tracks relative here (seedbed never changes
    a tracked file), or when it is missing here and a branch tracks it (seedbed
    does not create it untracked); None when seedbed may write it. facts:
    git's answers, asked once for every file (else asked now)."""
    path = root / relative
    if facts is None or relative not in facts.asked:
        facts = tracking(root, [relative])
    if relative in facts.tracked:
        return Written(
            path, "tracked", note="tracked by git: left byte for byte as it is"
        )
    if path.exists() or path.is_symlink():
        return None
    branch = facts.branch(relative)
    if branch:
        return Written(
            path,
            "tracked",
            note=f"not created: branch {branch} tracks it (an untracked copy"
            " would dirty git and block that checkout)",
        )
    return None


def exclude(
    common_dir: Path,
    root: Path,
    relatives: list[str],
    facts: Tracking | None = None,
) -> list[str]:
    """Add untracked files seedbed made to info/exclude (shared by every
    worktree); the patterns added."""
    if facts is None or not set(relatives) <= facts.asked:
        facts = tracking(root, relatives)
    wanted = [f"/{r}" for r in relatives if r not in facts.tracked]
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
