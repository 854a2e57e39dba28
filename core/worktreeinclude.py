"""`.worktreeinclude`: copy files git does not carry into a new worktree.

The convention several worktree tools share: a `.worktreeinclude` file at the
root, in gitignore syntax, lists files (typically ignored ones such as `.env`)
to copy from the main worktree into a new linked one. Only files git ignores
are candidates (tracked files arrive with the checkout); a file that already
exists is never overwritten; environment folders (a pyvenv.cfg or their own bin/python
inside), `.git` and seedbed's own state are never copied.

Patterns are matched with the `pathspec` library (git's wildmatch rules,
negation, anchoring, directory patterns), not by hand.

Nothing is ever written outside the new worktree, whatever the branch tracks:
- candidates come from git's listing of the main worktree (paths relative to
  it); a pattern such as `../x` or an absolute path matches nothing;
- a `.worktreeinclude` that is itself a symlink is not read;
- a target is written only when every folder on its way, from the worktree
  root, is a real folder (no symlink, even one pointing back inside: the branch
  may track `secrets -> /elsewhere`), and it is created exclusively without
  following a symlink (O_CREAT | O_EXCL | O_NOFOLLOW);
- a source is read without following a symlink; a source that is a symlink is
  copied as a link only when its text is relative and it resolves inside the
  new worktree (an absolute link, or one climbing out, would make later writes
  there land outside); sockets, FIFOs and devices are never copied.
A refused entry is not copied; everything safe is still copied, then the
setup step fails with a configuration error (exit 3) naming `.worktreeinclude`
and each refused path with its reason. Failing, rather than skipping with a
note, matches what any failed copy does (the setup is marked failed and a
retry is one `seedbed setup` away), and a note would scroll past in a hook's
output while the user believes the secrets were copied. The checkout itself
still succeeds, as with every setup failure.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core import runner
from seedbed.core.errors import ConfigError
from seedbed.core.paths import inside, path_problem, symlink_on_the_way

if TYPE_CHECKING:  # imported when a .worktreeinclude exists (it brings asyncio)
    import pathspec

FILE = ".worktreeinclude"
NEVER = frozenset({".git", ".seedbed"})


@dataclass(frozen=True)
class Copied:
    copied: tuple[str, ...]
    skipped: tuple[str, ...]  # present already, or an environment folder
    refused: tuple[str, ...] = ()  # "path: reason", nothing written for them


def main_worktree(common_dir: Path) -> Path | None:
    if common_dir.name == ".git" and (common_dir.parent / ".git").is_dir():
        return common_dir.parent
    return None


def is_environment(folder: Path) -> bool:
    """A Python environment of any manager: a venv's pyvenv.cfg, or a prefix
    holding its own interpreter. Never copied: environments are path-bound."""
    return (folder / "pyvenv.cfg").is_file() or (folder / "bin" / "python").exists()


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
        # A symlinked .worktreeinclude could name a file anywhere: not read.
        if path.is_file() and not path.is_symlink():
            import pathspec

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
    """Copy what .worktreeinclude lists from the main worktree into root; a
    ConfigError (exit 3) after copying the rest when an entry was refused."""
    done = copy(root, common_dir)
    if done.refused:
        raise ConfigError(
            f"{FILE}: not copied, the path would lead out of the worktree: "
            + "; ".join(done.refused),
            "remove the symlink from the branch (or the pattern from "
            f"{FILE}); nothing was written outside the worktree",
            file=FILE,
        )
    return done


def copy(root: Path, common_dir: Path) -> Copied:
    """Copy what .worktreeinclude lists from the main worktree into root;
    refused entries are listed, not raised."""
    source = main_worktree(common_dir)
    if source is None or source == root:
        return Copied((), ())
    spec = read_patterns(root, source)
    if spec is None:
        return Copied((), ())
    copied: list[str] = []
    skipped: list[str] = []
    refused: list[str] = []
    seen: set[str] = set()
    for relative in _candidates(source, ignored_paths(source), spec):
        if relative in seen:  # git may list a folder and a file inside it
            continue
        seen.add(relative)
        target = root / relative
        if target.exists() or target.is_symlink():
            skipped.append(relative)
            continue
        reason = _refusal(root, relative) or _copy_safely(
            source / relative, target, root
        )
        if reason:
            refused.append(f"{relative}: {reason}")
        else:
            copied.append(relative)
    return Copied(tuple(copied), tuple(skipped), tuple(refused))


def _refusal(root: Path, relative: str) -> str:
    """Why root/relative must not be written, or "" when it may."""
    problem = path_problem(relative)
    if problem:
        return problem
    link = symlink_on_the_way(root, str(Path(relative).parent))
    if link:
        return f"{link} is a symlink in this worktree; nothing written through it"
    if not inside(root / relative, root):
        return "leads out of the worktree"
    return ""


def _copy_safely(origin: Path, target: Path, root: Path) -> str:
    try:
        return _copy(origin, target, root)
    except OSError as exc:
        # A symlink that appeared since the check: O_NOFOLLOW, O_EXCL and
        # mkdir refuse it. Any other failure fails the step, as it always did.
        if exc.errno in (errno.ELOOP, errno.EEXIST, errno.ENOTDIR):
            return f"not copied ({exc.strerror})"
        raise


def _copy(origin: Path, target: Path, root: Path) -> str:
    """Copy one entry without following a symlink on either side; the reason
    it was refused, or ""."""
    try:
        info = origin.lstat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return _copy_link(origin, target, root)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    import shutil  # here: most worktrees have no .worktreeinclude to copy

    _make_parents(root, target.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    source_fd = os.open(origin, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(source_fd, "rb") as reader:
        target_fd = os.open(target, flags, info.st_mode & 0o7777)
        with os.fdopen(target_fd, "wb") as writer:
            shutil.copyfileobj(reader, writer)
    shutil.copystat(origin, target, follow_symlinks=False)
    return ""


def _copy_link(origin: Path, target: Path, root: Path) -> str:
    text = os.readlink(origin)
    if os.path.isabs(text) or not inside(target.parent / text, root):
        return f"a symlink to {text} (outside the worktree); not copied"
    _make_parents(root, target.parent)
    os.symlink(text, target)  # fails when anything appeared at target
    return ""


def _make_parents(root: Path, folder: Path) -> None:
    """Create folder's missing parts one at a time, each a real folder (a
    symlink appearing on the way makes mkdir or the exclusive open fail)."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if not current.is_dir() or current.is_symlink():
            os.mkdir(current)


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
