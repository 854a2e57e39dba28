"""Which environment folders seedbed made, so it deletes only those.

A branch decides `env_dir` and what its checkout puts on disk, so a folder at
the environment's place may be the user's own (a venv made by hand, a source
folder, a tracked symlink). seedbed removes a folder only when it can prove it
made it:

- the ownership mark, `MARK` inside the folder, records the folder's own
  device and inode (and the worktree it was made for). A checkout cannot
  forge it: the inode of a folder git creates is not known in advance, and a
  copy gets a new one. `git worktree move` (a rename) keeps it valid.
- the pending creation record, `.seedbed/env-creating.json`, written before a
  step may create the environment and cleared once the setup succeeded and
  the mark is written. A folder found with it pending is a half-made
  environment of seedbed's (a killed `python -m venv`, an interrupted
  install): it is ours, and it is rebuilt.

Everything else in the way is an error naming the folder, never removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from seedbed.core import state
from seedbed.core.errors import SetupError
from seedbed.core.files import temporary_beside

MARK = ".seedbed-env.json"
CREATING = "env-creating.json"


def _creating_path(root: Path) -> Path:
    return state.state_dir(root) / CREATING


def pending(root: Path, environment: Path) -> bool:
    """Whether a creation of `environment` started and never finished."""
    path = _creating_path(root)
    data = state.read_json(path) or {}
    return data.get("env") == str(environment) and _names_itself(path, data)


def begin_creation(root: Path, environment: Path) -> None:
    """Record, before any step may create it, that seedbed makes this folder."""
    if pending(root, environment):
        return
    data = {"env": str(environment), "pid": os.getpid(), "started_at": time.time()}
    _write_self_naming(_creating_path(root), data)


def _write_self_naming(path: Path, data: dict[str, Any]) -> None:
    """Write data plus the file's own device and inode, atomically. A branch
    can track `.seedbed/` files, but cannot know the inode a write will get,
    so a record it brings never counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temporary_beside(path)
    try:
        info = os.fstat(fd)
        with os.fdopen(fd, "w") as handle:
            json.dump({**data, "dev": info.st_dev, "ino": info.st_ino}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _names_itself(path: Path, data: dict[str, Any]) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return data.get("dev") == info.st_dev and data.get("ino") == info.st_ino


def finish_creation(root: Path, environment: Path) -> None:
    """The environment is complete: mark it ours, then drop the record.

    Only a folder whose creation this or an earlier run recorded is marked,
    so a venv the user made and seedbed synced in place stays theirs."""
    if not pending(root, environment):
        return
    if environment.is_dir() and not environment.is_symlink():
        write_mark(root, environment)
    with contextlib.suppress(FileNotFoundError):
        _creating_path(root).unlink()


def write_mark(root: Path, environment: Path) -> None:
    info = os.lstat(environment)
    data = {"root": str(root), "dev": info.st_dev, "ino": info.st_ino}
    state.write_json_atomic(environment / MARK, data)


def read_mark(environment: Path) -> dict[str, Any] | None:
    return state.read_json(environment / MARK)


def marked(environment: Path) -> bool:
    """Whether the folder carries a mark written for this very folder."""
    try:
        info = os.lstat(environment)
    except OSError:
        return False
    if environment.is_symlink() or not environment.is_dir():
        return False
    data = read_mark(environment) or {}
    return data.get("dev") == info.st_dev and data.get("ino") == info.st_ino


def owned(root: Path, environment: Path) -> bool:
    """seedbed made this folder (marked), or was making it (pending)."""
    if environment.is_symlink():
        return False
    return marked(environment) or pending(root, environment)


def check_place(root: Path, environment: Path) -> None:
    """The environment's place must be a real folder (or nothing) inside the
    worktree and not the worktree itself: never a link, never a file."""
    if os.path.realpath(environment) == os.path.realpath(root):
        raise not_ours(environment, "it is the worktree itself")
    if environment.is_symlink():
        raise not_ours(environment, f"it is a link to {os.readlink(environment)}")
    if environment.exists() and not environment.is_dir():
        raise not_ours(environment, "it is a file, not an environment")


def remove(root: Path, environment: Path) -> None:
    """Remove the environment folder, only when seedbed made it."""
    if not os.path.lexists(environment):
        return
    check_place(root, environment)
    if not owned(root, environment):
        raise not_ours(environment, "it is not an environment seedbed made")
    # From here on a new folder at this place is seedbed's (creation pending).
    begin_creation(root, environment)
    import shutil  # only when a folder is rebuilt

    shutil.rmtree(environment)


def not_ours(environment: Path, why: str) -> SetupError:
    return SetupError(
        f"{environment} is in the way of the environment: {why}; "
        "seedbed removes only folders it made",
        "move it away or set env_dir to another folder, then `seedbed setup`; "
        "nothing was removed",
        path=str(environment),
    )
