"""The files seedbed writes, written one way: atomically, under a lock, kept out of
git, in the right per-user folder.

- `write_atomic` / `write_json_atomic`: temp file in the same folder, fsync,
  rename; a reader sees the old content or the new, never half of it. The temp
  file is created 0600 (mkstemp), so a secret is never readable by others, not
  even for a moment; `mode` sets the final mode. `durable=False` skips the
  fsync: for files a later run re-derives and whose readers take an empty or
  garbled file as "not there" (a setup's state files: the ready marker is
  sealed by its hash in the git dir). Each fsync on a busy disk costs up to a
  tenth of a second or more (the first after an install flushes everything it
  wrote); after a crash such a file may be empty, never half old, half new.
- `locked(path)`: an exclusive lock on `path` (filelock: fcntl.flock on POSIX,
  released by the kernel when the holder dies, so a killed seedbed never leaves
  a stale lock behind).
- `LockedJSON`: a small JSON registry shared by processes (ports, trust,
  databases): read, change and write back under one lock.
- `exclude`: add patterns to the repository's info/exclude (shared by every
  worktree), once, under a lock (taken only when a line is missing).
- `user_dir`: per-user folders. `SEEDBED_HOME` (tests, or one folder for
  everything) wins; else the platform's data/state folder (platformdirs).

filelock, platformdirs and tempfile's helpers are imported where used (or not
used): a setup through the git hook imports this module and must stay
import-light.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

EXCLUDE_HEADER = "# seedbed: per-worktree state"


def write_atomic(
    path: Path, data: str | bytes, mode: int | None = None, durable: bool = True
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new 0600 file beside `path`, as tempfile.mkstemp makes it (O_EXCL, a
    random name, retried on a clash) without importing tempfile and random."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{os.urandom(6).hex()}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_json_atomic(
    path: Path,
    data: Mapping[str, Any] | Sequence[Any],
    mode: int | None = None,
    durable: bool = True,
) -> None:
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_atomic(path, text, mode, durable)


def read_json(path: Path) -> Any:
    """The parsed file, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def locked(path: Path, timeout: float = -1) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing); timeout -1 waits."""
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path), timeout=timeout):
        yield


class LockedJSON:
    """A JSON object in one file, changed by many processes one at a time.

    registry = LockedJSON(home / "ports.json")
    with registry.update() as data:      # locked until the block ends
        data["blocks"] = [...]           # written back atomically
    """

    def __init__(self, path: Path, mode: int | None = None) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.mode = mode

    def read(self) -> dict[str, Any]:
        data = read_json(self.path)
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def update(self) -> Iterator[dict[str, Any]]:
        with locked(self.lock_path):
            data = self.read()
            before = json.dumps(data, sort_keys=True)
            yield data
            if json.dumps(data, sort_keys=True) != before:
                write_json_atomic(self.path, data, self.mode)


def exclude(common_dir: Path, patterns: Sequence[str]) -> list[str]:
    """Add patterns to <common dir>/info/exclude unless present; returns those
    added. Linked worktrees read it from the common dir, so one line serves all;
    the lock keeps concurrent setups from writing a line twice."""
    path = common_dir / "info" / "exclude"
    # Every line present (every setup after the repository's first): nothing
    # to write, so no lock (and no filelock import) either.
    if not _missing(path, patterns)[0]:
        return []
    with locked(common_dir / "info" / "exclude.seedbed-lock"):
        missing, present = _missing(path, patterns)
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as handle:
                if EXCLUDE_HEADER not in present:
                    handle.write(EXCLUDE_HEADER + "\n")
                handle.write("".join(f"{p}\n" for p in missing))
    return missing


def _missing(path: Path, patterns: Sequence[str]) -> tuple[list[str], set[str]]:
    try:
        present = set(path.read_text().splitlines())
    except FileNotFoundError:
        present = set()
    return [p for p in dict.fromkeys(patterns) if p not in present], present


def user_dir(kind: str = "data") -> Path:
    """seedbed's per-user folder of a kind ("data", "state", "config", "cache").

    SEEDBED_HOME holds everything when set (one folder, as tests and a portable
    install want); otherwise the platform's convention (XDG on Linux)."""
    home = os.environ.get("SEEDBED_HOME")
    if home:
        return Path(home) if kind != "cache" else Path(home) / "cache"
    if sys.platform == "linux":
        return _xdg_dir(kind)
    import platformdirs

    finder = {
        "data": platformdirs.user_data_dir,
        "state": platformdirs.user_state_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(finder("seedbed", appauthor=False))


XDG = {
    "data": ("XDG_DATA_HOME", ".local/share"),
    "state": ("XDG_STATE_HOME", ".local/state"),
    "config": ("XDG_CONFIG_HOME", ".config"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def _xdg_dir(kind: str) -> Path:
    """platformdirs' answer on Linux, without importing it (a few ms on every
    setup, which reads the interpreter cache): an absolute XDG_*_HOME, else the
    default under an absolute HOME, else under the account's home folder."""
    variable, default = XDG[kind]
    base = os.environ.get(variable, "")
    if not os.path.isabs(base):
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        base = os.path.join(home, default)
    return Path(base) / "seedbed"
