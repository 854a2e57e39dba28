"""Per-worktree state under .seedbed/: the ready marker, the last attempt, the lock.

Import-light on purpose: the git hook's fast path reads the ready marker and
recomputes the fingerprint without loading click, pluggy or GitPython.

The ready marker is written last and atomically (write, fsync, rename), so a
setup killed at any point leaves no marker and the next run repairs it.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

STATE_DIR = ".seedbed"
READY = "ready.json"
LAST = "last.json"
LOCK = "lock"
LOG = "setup.log"

# Always part of the fingerprint: they change what a manager would do.
# The other managers' locks too: a lock appearing can change which manager owns
# the project, and the hook must notice without knowing the plugins.
CONFIG_INPUTS = (
    "pyproject.toml",
    ".seedbed.toml",
    ".python-version",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "environment.yml",
    "environment.yaml",
)


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


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


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_ready(root: Path) -> dict[str, Any] | None:
    return read_json(state_dir(root) / READY)


def clear_ready(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir(root) / READY).unlink()


def is_in_sync(root: Path) -> bool:
    """The fast path: is the ready marker's fingerprint still the truth?

    Checks the marker was written for this path and the environment's
    interpreter is still there, then re-hashes the watched files. A few file
    reads; no process is started.
    """
    ready = read_ready(root)
    if not ready:
        return False
    # Made for another path (a copied worktree, `git worktree move`): its
    # scripts and editable installs name the old place.
    if ready.get("root", str(root)) != str(root):
        return False
    try:
        python = root / ready["env_dir"] / ready["python_relpath"]
        if not python.exists():  # follows the link: a broken one counts as gone
            return False
        current, _ = fingerprint(
            root, ready["watch"]["paths"], ready["watch"]["globs"], ready["identity"]
        )
    except (KeyError, TypeError):
        return False
    return bool(current == ready["fingerprint"])


class Locked(Exception):
    pass


@contextlib.contextmanager
def worktree_lock(root: Path, wait: bool = True) -> Iterator[None]:
    """Serialise setups of one worktree (flock: released if the holder dies)."""
    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a+") as handle:
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
    if not (state_dir(root) / LOCK).exists():
        return False
    try:
        with worktree_lock(root, wait=False):
            return False
    except Locked:
        return True
    except OSError:
        return False
