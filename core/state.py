"""Per-worktree state under .seedbed/: the ready marker, the last attempt, the lock.

The writer and the Path-based API. The names and the pure readers (the
fingerprint, the seal check, the in-sync check, the lock probe, the git dir
lookup) are core/quickstate.py's, the one implementation, which the fast
paths use on plain strings; this module adds the shapes, DamagedState, the
writes, the seal and the lock. Import-light on purpose: the git hook's fast
path reads the ready marker and recomputes the fingerprint without loading
click, pluggy or GitPython.

The ready marker is written last and atomically (write, rename), so a setup
killed at any point leaves no marker and the next run repairs it. The marker
and last.json skip the fsync: after a crash either may be empty, which their
readers take as "not ready" (and the seal no longer matches an empty marker).

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
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core import files, quickstate
from seedbed.core.errors import EXIT_CONFIG, SeedbedError, SetupError
from seedbed.core.quickstate import CONFIG_INPUTS as CONFIG_INPUTS
from seedbed.core.quickstate import LAST as LAST
from seedbed.core.quickstate import LOCK as LOCK
from seedbed.core.quickstate import READY as READY
from seedbed.core.quickstate import SEAL as SEAL
from seedbed.core.quickstate import STATE_DIR as STATE_DIR
from seedbed.core.shapes import LAST_SHAPE, READY_SHAPE, Shape, shape_problem

LOG = "setup.log"
SYNC_FILES = ("sync.sha256", "sync.paths")  # core/fastcheck.py's, sealed too
MARKERS = (READY, LAST)  # written without fsync (see the module's docstring)
DOCTOR_HINT = "run `seedbed doctor --fix` (it repairs the file or moves it aside)"


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
    """What makes root/.seedbed unsafe to write into, or None
    (quickstate.state_problem)."""
    found = quickstate.state_problem(str(root))
    return None if found is None else (Path(found[0]), found[1])


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
    return quickstate.file_digest(str(path))


def fingerprint(
    root: Path,
    paths: Sequence[str],
    globs: Sequence[str],
    identity: Mapping[str, str],
) -> tuple[str, dict[str, str | None]]:
    """quickstate.fingerprint: the hash of the watched files and the
    environment's identity, and the inputs."""
    return quickstate.fingerprint(str(root), paths, globs, identity)


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
    """files.write_json_atomic, then the seal when it is the ready marker.
    The markers skip the fsync: a torn one reads as "not ready"."""
    marker = path.name in MARKERS and path.parent.name == STATE_DIR
    files.write_json_atomic(path, data, durable=not marker)
    if marker and path.name == READY:
        seal(path.parent.parent)


# ---------------------------------------------------------------------------
# The seal: binds the marker to this worktree's git dir
# ---------------------------------------------------------------------------


def git_dir(root: Path) -> Path | None:
    """The worktree's own git dir (quickstate.own_git_dir): no process started."""
    found = quickstate.own_git_dir(str(root))
    return Path(found) if found is not None else None


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
    directory = git_dir(root)
    return directory is not None and quickstate.sealed(str(root), str(directory))


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------


def read_ready(root: Path) -> dict[str, Any] | None:
    """The ready marker, when it is sound, sealed for this worktree and of the
    marker's shape; else None."""
    directory = git_dir(root)
    if directory is None:
        return None
    ready = quickstate.sealed_ready(str(root), str(directory))
    if ready is None or shape_problem(ready, READY_SHAPE):
        return None
    return ready


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

    The marker must be sealed for this worktree and written for this path,
    and the environment's interpreter still there; then the watched files are
    re-hashed (quickstate.in_sync). A few file reads; no process is started.
    Damaged or committed state is simply not in sync (a real setup follows).
    """
    try:
        ready = read_ready(root)
    except (ValueError, OSError):
        return False
    if not ready:
        return False
    return quickstate.in_sync(str(root), ready)


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
    """Whether a setup holds the worktree's lock (quickstate.is_locked)."""
    return quickstate.is_locked(str(root))
