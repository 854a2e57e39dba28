"""A worktree's state and git facts read with the standard library alone: the
one implementation of the state's names and readers.

`seedbed run -- CMD` (core/runfast.py) and `seedbed status`
(core/statusfast.py) answer in the time `python -c pass` takes plus a few
milliseconds only if they import nothing heavy, so the readers live here, on
plain strings: the state's file names, the fingerprint, the seal check, the
in-sync check, the lock probe, the worktree's own git dir and common dir, the
git variables a child must not inherit. core/state.py (the writer, with
Path-based wrappers, shapes and DamagedState) and core/gitfacts.py import them
from here.

`locate` finds the worktree without starting git, for the cases it is sure of,
and raises `Unsure` for every other (a git variable in the environment, a path
git would refuse or describe differently); the fast paths raise it too on
damaged or odd state, so the caller runs the full command, which reads through
core/state.py and core/gitfacts.py and reports what is wrong.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from collections.abc import Iterable, Mapping
    from typing import Any

STATE_DIR = ".seedbed"
READY = "ready.json"
LAST = "last.json"
LOCK = "lock"
SEAL = "seedbed-ready.sha256"  # in the worktree's own git dir

# Always part of the fingerprint: they change what any manager would do. The
# managers' own files (every manager's, not only the chosen one's: a lock
# appearing can change which manager owns the project) are recorded by setup in
# the ready marker's "watch", which is what the hook re-hashes.
CONFIG_INPUTS = ("pyproject.toml", ".seedbed.toml", ".python-version")

# Git exports these to hooks; they describe the *calling* repository and would
# mislead a git started by a package manager (git dependencies) in another cwd.
GIT_CONTEXT_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)

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


def clean_git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """env (else ours) without the calling repository's git variables."""
    base = dict(os.environ if env is None else env)
    for name in GIT_CONTEXT_VARIABLES:
        base.pop(name, None)
    return base


def file_digest(path: str) -> str | None:
    """The file's sha256, None when there is no file."""
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
    """The worktree's own git dir, read from its `.git` (no process started):
    a folder in the main worktree, a `gitdir: PATH` file in a linked one. A
    checkout can never write there (git refuses tracked `.git` paths)."""
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
    """The repository's common dir: a linked worktree's git dir names it in
    `commondir`; the main worktree's git dir is its own."""
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


def state_problem(root: str) -> tuple[str, str] | None:
    """What makes root/.seedbed unsafe to write into (the path, the problem),
    or None.

    Seedbed only ever makes a plain folder of plain files there; a symlink (the
    folder or an entry, e.g. `setup.log -> ~/.bashrc`) comes from a checkout
    and would send seedbed's writes outside the worktree.
    """
    folder = os.path.join(root, STATE_DIR)
    if os.path.islink(folder):
        return folder, f"is a symlink (to {os.readlink(folder)})"
    if not os.path.exists(folder):
        return None
    if not os.path.isdir(folder):
        return folder, "is not a folder"
    try:
        with os.scandir(folder) as found:
            links = [entry.path for entry in found if entry.is_symlink()]
    except OSError as exc:
        return folder, f"unreadable ({exc.strerror or exc})"
    if links:
        return links[0], f"is a symlink (to {os.readlink(links[0])})"
    return None


def state_sound(root: str) -> bool:
    return state_problem(root) is None


def sealed(root: str, git_dir: str) -> bool:
    """Whether the marker on disk is the one seedbed wrote for this worktree:
    the seal in its git dir (`sha256sum` format) holds the marker's hash."""
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
    root: str,
    paths: Iterable[str],
    globs: Iterable[str],
    identity: Mapping[str, str],
) -> tuple[str, dict[str, str | None]]:
    """Hash of the watched files' content plus what identifies the environment
    (manager, installer, interpreter version, env dir). Returns it and the inputs."""
    names = set(paths) | set(CONFIG_INPUTS)
    if globs:
        import glob

        for pattern in globs:
            # root_dir: the worktree's own path may hold glob characters ("w[1]").
            names.update(glob.glob(pattern, root_dir=root))
    digests = {name: file_digest(os.path.join(root, name)) for name in sorted(names)}
    payload = json.dumps({"identity": dict(identity), "files": digests}, sort_keys=True)
    return sha256(payload.encode()), digests


def in_sync(root: str, ready: Mapping[str, Any]) -> bool:
    """Is the sealed ready marker's fingerprint still the truth? A few file
    reads, no process; a marker of the wrong shape is simply not in sync."""
    try:
        # Made for another path (a copied worktree, `git worktree move`): its
        # scripts and editable installs name the old place.
        if ready["root"] != root:
            return False
        python = os.path.join(root, ready["env_dir"], ready["python_relpath"])
        if not os.path.exists(python):  # follows the link: a broken one is gone
            return False
        watch = ready["watch"]
        current, _ = fingerprint(
            root, watch["paths"], watch["globs"], ready["identity"]
        )
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return bool(current == ready["fingerprint"])


def sealed_ready(root: str, git_dir: str) -> dict[str, Any] | None:
    """The ready marker's object when the state folder is sound and the marker
    sealed, else None (core.state.read_ready adds the shape check)."""
    if not state_sound(root) or not sealed(root, git_dir):
        return None
    try:
        return read_object(os.path.join(root, STATE_DIR, READY))
    except Unsure:
        return None


def is_locked(root: str) -> bool:
    """Whether a setup holds the worktree's lock (core.state.worktree_lock)."""
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
