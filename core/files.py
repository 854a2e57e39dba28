"""The files seedbed writes, written one way: atomically, under a lock, kept out of
git, in the right per-user folder.

- `write_atomic` / `write_json_atomic`: temp file in the same folder, fsync,
  rename; a reader sees the old content or the new, never half of it. The temp
  file is created 0600 (mkstemp), so a secret is never readable by others, not
  even for a moment; `mode` sets the final mode.
- `locked(path)`: an exclusive lock on `path` (filelock: fcntl.flock on POSIX,
  released by the kernel when the holder dies, so a killed seedbed never leaves
  a stale lock behind).
- `LockedJSON`: a small JSON registry shared by processes (ports, trust,
  databases): read, change and write back under one lock.
- `exclude`: add patterns to the repository's info/exclude (shared by every
  worktree), once, under a lock.
- `user_dir`: per-user folders. `SEEDBED_HOME` (tests, or one folder for
  everything) wins; else the platform's data/state folder (platformdirs).

filelock and platformdirs are imported where used: the git hook's no-op path
imports this module's callers and must stay import-light.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

EXCLUDE_HEADER = "# seedbed: per-worktree state"


def write_atomic(path: Path, data: str | bytes, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json_atomic(
    path: Path, data: Mapping[str, Any] | Sequence[Any], mode: int | None = None
) -> None:
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_atomic(path, text, mode)


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
    with locked(common_dir / "info" / "exclude.seedbed-lock"):
        try:
            present = set(path.read_text().splitlines())
        except FileNotFoundError:
            present = set()
        missing = [p for p in dict.fromkeys(patterns) if p not in present]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as handle:
                if EXCLUDE_HEADER not in present:
                    handle.write(EXCLUDE_HEADER + "\n")
                handle.write("".join(f"{p}\n" for p in missing))
    return missing


def user_dir(kind: str = "data") -> Path:
    """seedbed's per-user folder of a kind ("data", "state", "config", "cache").

    SEEDBED_HOME holds everything when set (one folder, as tests and a portable
    install want); otherwise the platform's convention (XDG on Linux)."""
    home = os.environ.get("SEEDBED_HOME")
    if home:
        return Path(home) if kind != "cache" else Path(home) / "cache"
    import platformdirs

    finder = {
        "data": platformdirs.user_data_dir,
        "state": platformdirs.user_state_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(finder("seedbed", appauthor=False))
