"""Per-worktree state under .seedbed/: the ready marker, the last attempt, the lock.

Import-light on purpose: the git hook's fast path reads the ready marker and
recomputes the fingerprint without loading click, pluggy or GitPython.

The ready marker is written last and atomically (write, fsync, rename), so a
setup killed at any point leaves no marker and the next run repairs it.

A branch can commit a `.seedbed/` folder (or a `.seedbed` symlink), and git
overwrites ignored files on checkout, so nothing under `.seedbed/` is trusted
for what it says alone: writing refuses a `.seedbed` that is a symlink, not a
folder, or holds a symlink (`state_dir`), and the ready marker counts only when
the seal in the worktree's own git dir (`<git dir>/seedbed-ready.sha256`, which
no checkout can write) holds its hash. The seal is in `sha256sum` format, so the
sh hook can check it too. Damaged files are reported as `DamagedState` (exit 3,
naming the file; `seedbed doctor --fix` moves them aside).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core import files
from seedbed.core.errors import EXIT_CONFIG, SeedbedError, SetupError
from seedbed.core.shapes import LAST_SHAPE, READY_SHAPE, Shape, shape_problem

STATE_DIR = ".seedbed"
READY = "ready.json"
LAST = "last.json"
LOCK = "lock"
LOG = "setup.log"
SEAL = "seedbed-ready.sha256"
SYNC_FILES = ("sync.sha256", "sync.paths")  # core/fastcheck.py's, sealed too
DOCTOR_HINT = "run `seedbed doctor --fix` (it repairs the file or moves it aside)"

# Always part of the fingerprint: they change what any manager would do. The
# managers' own files (every manager's, not only the chosen one's: a lock
# appearing can change which manager owns the project) are recorded by setup in
# the ready marker's "watch", which is what the hook re-hashes.
CONFIG_INPUTS = ("pyproject.toml", ".seedbed.toml", ".python-version")


class DamagedState(SeedbedError):
    """A state file seedbed wrote is unreadable or holds the wrong types."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(
            f"{path}: damaged seedbed state: {problem}",
            DOCTOR_HINT,
            EXIT_CONFIG,
            {"file": str(path), "problem": problem},
        )
        self.path = Path(path)
        self.problem = problem


# ---------------------------------------------------------------------------
# The folder
# ---------------------------------------------------------------------------


def state_problem(root: Path) -> tuple[Path, str] | None:
    """What makes root/.seedbed unsafe to write into, or None.

    Seedbed only ever makes a plain folder of plain files there; a symlink (the
    folder or an entry, e.g. `setup.log -> ~/.bashrc`) comes from a checkout
    and would send seedbed's writes outside the worktree.
    """
    folder = root / STATE_DIR
    if folder.is_symlink():
        return folder, f"is a symlink (to {os.readlink(folder)})"
    if not folder.exists():
        return None
    if not folder.is_dir():
        return folder, "is not a folder"
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        return folder, f"unreadable ({exc.strerror or exc})"
    for entry in entries:
        if entry.is_symlink():
            return Path(entry.path), f"is a symlink (to {os.readlink(entry.path)})"
    return None


def state_dir(root: Path) -> Path:
    """root/.seedbed, refused (SetupError, exit 5) when it is not a plain folder
    of seedbed's: a branch that commits a symlink there must not make seedbed
    write its state, logs or database through it."""
    found = state_problem(root)
    if found is not None:
        path, problem = found
        raise SetupError(
            f"{path}: {problem}; seedbed keeps its state in a plain folder there",
            f"remove it (a branch may have committed it), or {DOCTOR_HINT}",
            path=str(path),
        )
    return root / STATE_DIR


def _raw(root: Path, name: str) -> Path:
    return root / STATE_DIR / name


# ---------------------------------------------------------------------------
# Files and their shapes
# ---------------------------------------------------------------------------


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def fingerprint(
    root: Path,
    paths: Sequence[str],
    globs: Sequence[str],
    identity: Mapping[str, str],
) -> tuple[str, dict[str, str | None]]:
    """Hash of the watched files' content plus what identifies the environment
    (manager, installer, interpreter version, env dir). Returns it and the inputs."""
    names = set(paths) | set(CONFIG_INPUTS)
    for pattern in globs:
        # root_dir: the worktree's own path may hold glob characters ("w[1]").
        names.update(glob.glob(pattern, root_dir=root))
    files = {name: file_digest(root / name) for name in sorted(names)}
    payload = json.dumps({"identity": dict(identity), "files": files}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest(), files


SHAPES = {READY: READY_SHAPE, LAST: LAST_SHAPE}


def load(path: Path, shape: Shape) -> Any:
    """The JSON object in path (None when absent), or DamagedState."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DamagedState(path, f"unreadable ({_reason(exc)})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DamagedState(path, f"not JSON ({exc})") from None
    problem = shape_problem(data, shape)
    if problem:
        raise DamagedState(path, problem)
    return data


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def read_json(path: Path) -> dict[str, Any] | None:
    """A state file's object, or None when absent or damaged (lenient readers:
    use `load`/`inspect` to report damage)."""
    try:
        data = load(path, SHAPES.get(path.name, {}))
    except DamagedState:
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """files.write_json_atomic, then the seal when it is the ready marker."""
    files.write_json_atomic(path, data)
    if path.name == READY and path.parent.name == STATE_DIR:
        seal(path.parent.parent)


# ---------------------------------------------------------------------------
# The seal: binds the marker to this worktree's git dir
# ---------------------------------------------------------------------------


def git_dir(root: Path) -> Path | None:
    """The worktree's own git dir, read from its `.git` (no process started):
    a folder in the main worktree, a `gitdir: PATH` file in a linked one. A
    checkout can never write there (git refuses tracked `.git` paths)."""
    dot_git = root / ".git"
    if dot_git.is_dir() and not dot_git.is_symlink():
        return dot_git
    try:
        line = dot_git.read_text().splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    if not line.startswith("gitdir: "):
        return None
    found = root / line[len("gitdir: ") :].strip()
    return found if found.is_dir() else None


def seal_path(root: Path) -> Path | None:
    directory = git_dir(root)
    return directory / SEAL if directory else None


def seal(root: Path) -> None:
    """Record the hashes of the marker and the sync files in the git dir
    (`sha256sum --check` format, paths relative to the worktree)."""
    target = seal_path(root)
    if target is None:
        return
    lines = []
    for name in (READY, *SYNC_FILES):
        digest = file_digest(_raw(root, name))
        if digest:
            lines.append(f"{digest}  {STATE_DIR}/{name}\n")
    tmp = target.with_name(f".{SEAL}.tmp")
    tmp.write_text("".join(lines))
    os.replace(tmp, target)


def unseal(root: Path) -> None:
    target = seal_path(root)
    if target is not None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


def sealed(root: Path) -> bool:
    """Whether the marker on disk is the one seedbed wrote for this worktree."""
    target = seal_path(root)
    digest = file_digest(_raw(root, READY))
    if target is None or digest is None:
        return False
    try:
        text = target.read_text()
    except (OSError, UnicodeDecodeError):
        return False
    return f"{digest}  {STATE_DIR}/{READY}" in text.splitlines()


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------


def read_ready(root: Path) -> dict[str, Any] | None:
    """The ready marker, when it is sound and sealed for this worktree; else None."""
    if state_problem(root) is not None or not sealed(root):
        return None
    return read_json(_raw(root, READY))


def inspect(
    root: Path,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
    """(ready marker, last attempt, unsealed) for reporting; DamagedState on
    damage. A well-formed marker without a seal (committed by a branch, or
    written by an older seedbed) is not returned, and unsealed is True: not
    ready, nothing to repair, a setup makes a sealed one."""
    found = state_problem(root)
    if found is not None:
        raise DamagedState(*found)
    ready = load(_raw(root, READY), READY_SHAPE)
    last = load(_raw(root, LAST), LAST_SHAPE)
    if ready is not None and not sealed(root):
        return None, last, True
    return ready, last, False


def damaged(root: Path) -> list[DamagedState]:
    """Every damaged state file of the worktree (for `seedbed doctor`)."""
    found = state_problem(root)
    if found is not None:
        return [DamagedState(*found)]
    problems = []
    for name, shape in SHAPES.items():
        try:
            load(_raw(root, name), shape)
        except DamagedState as exc:
            problems.append(exc)
    return problems


def move_aside(path: Path) -> Path:
    """Rename path to `NAME.damaged-<timestamp>` beside it (a symlink itself,
    never its target); returns the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists() or target.is_symlink():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    os.rename(path, target)
    return target


def clear_ready(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir(root) / READY).unlink()
    unseal(root)


def is_in_sync(root: Path) -> bool:
    """The fast path: is the ready marker's fingerprint still the truth?

    Checks the marker is sealed for this worktree and was written for this
    path, and the environment's interpreter is still there, then re-hashes the
    watched files. A few file reads; no process is started. Damaged or
    committed state is simply not in sync (a real setup follows).
    """
    try:
        ready = read_ready(root)
        if not ready:
            return False
        # Made for another path (a copied worktree, `git worktree move`): its
        # scripts and editable installs name the old place.
        if ready["root"] != str(root):
            return False
        python = root / ready["env_dir"] / ready["python_relpath"]
        if not python.exists():  # follows the link: a broken one counts as gone
            return False
        current, _ = fingerprint(
            root, ready["watch"]["paths"], ready["watch"]["globs"], ready["identity"]
        )
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return bool(current == ready["fingerprint"])


class Locked(Exception):
    pass


@contextlib.contextmanager
def worktree_lock(root: Path, wait: bool = True) -> Iterator[None]:
    """Serialise setups of one worktree (flock: released if the holder dies)."""
    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    # O_NOFOLLOW: a lock file swapped for a symlink is never followed.
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "a+") as handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle.fileno(), flags)
        except BlockingIOError:
            raise Locked(str(directory / LOCK)) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def is_locked(root: Path) -> bool:
    if state_problem(root) is not None or not _raw(root, LOCK).is_file():
        return False
    try:
        with worktree_lock(root, wait=False):
            return False
    except Locked:
        return True
    except (OSError, SeedbedError):
        return False
