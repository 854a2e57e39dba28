"""A worktree's state read with the standard library alone, for the fast paths.

`seedbed run -- CMD` (core/runfast.py) and `seedbed status`
(core/statusfast.py) answer in the time `python -c pass` takes plus a few
milliseconds only if they import nothing heavy: core/state.py pulls in
dataclasses (through core/errors) and tempfile, core/gitfacts starts
`git rev-parse`. This module answers the same questions from the same files,
the same way, for the cases it is sure of, and raises `Unsure` for every other
(a git variable in the environment, a path git would refuse or describe
differently, damaged or odd state), so the caller runs the full command, which
reads through core/state.py and reports what is wrong.

core/state.py stays the authority and the only writer;
tests/core/test_quickstate.py compares both on every state a worktree can be in.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from typing import Any

STATE_DIR = ".seedbed"  # core/state.py's names (the tests check they agree)
READY = "ready.json"
LAST = "last.json"
LOCK = "lock"
SEAL = "seedbed-ready.sha256"
CONFIG_INPUTS = ("pyproject.toml", ".seedbed.toml", ".python-version")

# Any of these makes git look somewhere else than "the first .git above cwd".
GIT_DISCOVERY = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


class Unsure(Exception):
    """The light reader cannot answer exactly as the full command would."""


def sha256(data: bytes) -> str:
    # hashlib loads OpenSSL (~2.5 ms); Python 3.11's built-in module gives the
    # same digest (3.12 renamed it: hashlib there).
    try:
        from _sha256 import sha256 as digest  # type: ignore[import-not-found]
    except ImportError:
        from hashlib import sha256 as digest
    return str(digest(data).hexdigest())


def file_digest(path: str) -> str | None:
    """As core.state.file_digest: None when there is no file."""
    try:
        with open(path, "rb") as handle:
            return sha256(handle.read())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


# ---------------------------------------------------------------------------
# Where the worktree is
# ---------------------------------------------------------------------------


def locate(cwd: str) -> tuple[str, str]:
    """(worktree root, its own git dir) as `git rev-parse --show-toplevel
    --git-dir` gives them, found without starting git; Unsure when git could
    answer differently (or refuse)."""
    if any(os.environ.get(name) for name in GIT_DISCOVERY):
        raise Unsure("a git variable in the environment")
    if "\n" in cwd or ".git" in cwd.split(os.sep):
        raise Unsure("inside a git dir, or a newline in the path")
    path = cwd
    while not os.path.lexists(os.path.join(path, ".git")):
        parent = os.path.dirname(path)
        if parent == path:
            raise Unsure("not inside a worktree")
        path = parent
    git_dir = own_git_dir(path)
    if git_dir is None or not os.path.isfile(os.path.join(git_dir, "HEAD")):
        raise Unsure("no usable git dir")
    try:
        if os.stat(path).st_uid != os.geteuid():  # git's safe.directory check
            raise Unsure("owned by another user")
        with open(os.path.join(common_dir(git_dir), "config")) as handle:
            config = handle.read()
    except OSError:
        raise Unsure("unreadable git config") from None
    for line in config.splitlines():
        words = line.replace("=", " = ").split()
        if words[:1] == ["worktree"] or words[:3] == ["bare", "=", "true"]:
            raise Unsure("core.worktree or a bare repository")
    return path, git_dir


def own_git_dir(root: str) -> str | None:
    """As core.state.git_dir: a folder in the main worktree, a `gitdir: PATH`
    file in a linked one."""
    dot_git = os.path.join(root, ".git")
    if os.path.isdir(dot_git) and not os.path.islink(dot_git):
        return dot_git
    try:
        with open(dot_git) as handle:
            line = handle.read().splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    if not line.startswith("gitdir: "):
        return None
    found = os.path.join(root, line[len("gitdir: ") :].strip())
    return os.path.normpath(found) if os.path.isdir(found) else None


def common_dir(git_dir: str) -> str:
    try:
        with open(os.path.join(git_dir, "commondir")) as handle:
            relative = handle.read().strip()
    except FileNotFoundError:
        return git_dir
    except OSError:
        raise Unsure("unreadable commondir") from None
    return os.path.normpath(os.path.join(git_dir, relative))


# ---------------------------------------------------------------------------
# The state folder, the seal, the marker
# ---------------------------------------------------------------------------


def state_sound(root: str) -> bool:
    """As `core.state.state_problem(root) is None`."""
    folder = os.path.join(root, STATE_DIR)
    if os.path.islink(folder):
        return False
    if not os.path.exists(folder):
        return True
    if not os.path.isdir(folder):
        return False
    try:
        with os.scandir(folder) as entries:
            return not any(entry.is_symlink() for entry in entries)
    except OSError:
        return False


def sealed(root: str, git_dir: str) -> bool:
    """As core.state.sealed, with the git dir already known."""
    digest = file_digest(os.path.join(root, STATE_DIR, READY))
    if digest is None:
        return False
    try:
        with open(os.path.join(git_dir, SEAL)) as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    return f"{digest}  {STATE_DIR}/{READY}" in text.splitlines()


def read_object(path: str) -> dict[str, Any] | None:
    """A state file's JSON object, None when absent; Unsure when it is not
    one (the full command names the damage)."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise Unsure(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise Unsure(f"{path}: not an object")
    return data


def fingerprint(
    root: str, paths: list[str], globs: list[str], identity: dict[str, str]
) -> str:
    """As core.state.fingerprint (the first half of its answer)."""
    names = set(paths) | set(CONFIG_INPUTS)
    if globs:
        import glob

        for pattern in globs:
            names.update(glob.glob(pattern, root_dir=root))
    digests = {name: file_digest(os.path.join(root, name)) for name in sorted(names)}
    payload = json.dumps({"identity": dict(identity), "files": digests}, sort_keys=True)
    return sha256(payload.encode())


def in_sync(root: str, ready: dict[str, Any]) -> bool:
    """As core.state.is_in_sync, given the sealed marker already read."""
    try:
        if ready["root"] != root:
            return False
        python = os.path.join(root, ready["env_dir"], ready["python_relpath"])
        if not os.path.exists(python):
            return False
        watch = ready["watch"]
        current = fingerprint(root, watch["paths"], watch["globs"], ready["identity"])
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return bool(current == ready["fingerprint"])


def sealed_ready(root: str, git_dir: str) -> dict[str, Any] | None:
    """As core.state.read_ready: the marker when sound and sealed, else None.
    A sealed marker is the one seedbed wrote, so its shape is sound."""
    if not state_sound(root) or not sealed(root, git_dir):
        return None
    try:
        return read_object(os.path.join(root, STATE_DIR, READY))
    except Unsure:
        return None


def is_locked(root: str) -> bool:
    """As core.state.is_locked: a setup holds the worktree's lock."""
    import fcntl

    path = os.path.join(root, STATE_DIR, LOCK)
    if not state_sound(root) or not os.path.isfile(path):
        return False
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing releases the lock taken
    return False
