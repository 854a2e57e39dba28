"""Per-user port registry: one block of ports per worktree, never shared.

One JSON file per user (`ports.json` in seedbed's per-user data folder:
$SEEDBED_HOME, else the platform's, ~/.local/share/seedbed on Linux) holds every
block of every repository, so two worktrees of two different projects never get
the same port. Every read-modify-write happens under a lock on a sibling file
(core.files.locked), so concurrent setups (eight `git worktree add` at once)
each get a block of their own.

A block is kept for the worktree's life: asking again returns the same block
without probing (the probe would fail once the worktree's own dev server is
listening). A new block is probed free with a bind on 127.0.0.1, so a port
another program already holds is skipped.

The key survives `git worktree move`: a linked worktree is keyed by its admin
dir under the common git dir (`<common>/worktrees/<id>`, which git keeps across
a move), the main worktree (which git cannot move) by its path. A block's
`worktree` is where the worktree is now: git's `<admin dir>/gitdir` names it.
Blocks written before this scheme (keyed by path) are re-keyed on first use.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seedbed.core import files
from seedbed.core.errors import EXIT_BUSY, ConfigError, SeedbedError
from seedbed.core.state import DamagedState, move_aside

REGISTRY = "ports.json"
LOCK = "ports.lock"
DEFAULT_RANGE = "8000-8999"
DEFAULT_BLOCK = 10


@dataclass(frozen=True)
class Block:
    """size consecutive ports starting at start, held by one worktree."""

    start: int
    size: int
    worktree: str
    repository: str = ""
    common_dir: str = ""
    allocated_at: float = 0.0
    admin_dir: str = ""  # <common>/worktrees/<id> of a linked worktree

    @property
    def end(self) -> int:
        return self.start + self.size - 1

    @property
    def label(self) -> str:
        return f"{self.start}-{self.end}"

    def overlaps(self, start: int, size: int) -> bool:
        return start <= self.end and self.start <= start + size - 1

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "end": self.end}


class PortsExhausted(SeedbedError):
    def __init__(self, port_range: tuple[int, int], size: int) -> None:
        low, high = port_range
        super().__init__(
            f"no free block of {size} ports left in {low}-{high}",
            "run `seedbed gc` in your repositories to release blocks of removed "
            "worktrees, or widen resources.port_range",
            EXIT_BUSY,
        )


def parse_range(text: str, key: str = "resources.port_range") -> tuple[int, int]:
    """ "8000-8999" → (8000, 8999); a clear config error otherwise."""
    low_text, sep, high_text = text.partition("-")
    try:
        low, high = int(low_text), int(high_text)
    except ValueError:
        low = high = -1
    if not sep or not (1024 <= low <= high <= 65535):
        raise ConfigError(
            f"{key}: expected a range like '8000-8999' within 1024-65535, got {text!r}",
            "fix the value; nothing was changed",
            key=key,
        )
    return low, high


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on host:port right now."""
    import socket  # here: ports is imported on every setup, probed rarely

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR as servers set it: a port in TIME_WAIT is free for them,
        # while one another process listens on still refuses the bind.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def admin_dir(worktree: Path) -> str:
    """A linked worktree's admin dir (`gitdir: X` in its `.git` file), or ""."""
    dot_git = worktree / ".git"
    try:
        line = dot_git.read_text().splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""
    if not line.startswith("gitdir: "):
        return ""
    return os.path.normpath(worktree / line.removeprefix("gitdir: ").strip())


def worktree_key(worktree: Path) -> str:
    """The registry key: the admin dir of a linked worktree, else its path."""
    return admin_dir(worktree) or str(worktree)


def current_path(value: dict[str, Any]) -> str:
    """Where a block's worktree is now: git's `<admin dir>/gitdir` when the admin
    dir is still there (it follows `git worktree move`), else the stored path."""
    admin = value.get("admin_dir")
    if isinstance(admin, str) and admin:
        try:
            gitdir = Path(admin, "gitdir").read_text().strip()
        except (OSError, UnicodeDecodeError):
            gitdir = ""
        if gitdir:
            return str(Path(gitdir).parent)
    return str(value["worktree"])


def _find(blocks: dict[str, dict[str, Any]], worktree: Path) -> str | None:
    """The key of worktree's block: its own key, an old path key, or a block
    whose admin dir now names this path."""
    for key in (worktree_key(worktree), str(worktree)):
        if key in blocks:
            return key
    for key, value in blocks.items():
        if current_path(value) == str(worktree):
            return key
    return None


def _follow_moves(blocks: dict[str, dict[str, Any]]) -> None:
    """Record where each moved worktree is now, so the path outlives its admin
    dir (`git worktree remove` deletes both; gc then names the last path)."""
    for value in blocks.values():
        if not block_problem(value):
            value["worktree"] = current_path(value)


class Registry:
    """The per-user registry file; every method takes the lock itself."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home or files.user_dir("data")
        self.path = self.home / REGISTRY

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, dict[str, Any]]]:
        """The blocks by worktree path; written back when the body returns."""
        with files.locked(self.home / LOCK):
            blocks = self._read()
            before = json.dumps(blocks, sort_keys=True)
            yield blocks
            if json.dumps(blocks, sort_keys=True) != before:
                self._write(blocks)

    def _read(self) -> dict[str, dict[str, Any]]:
        blocks, problems = self._load()
        if problems:
            raise DamagedState(self.path, problems[0])
        return blocks

    def _load(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The blocks and what is wrong with the file (one line per problem);
        a file that is not a JSON object of blocks at all raises DamagedState."""
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}, []
        except (OSError, UnicodeDecodeError) as exc:
            raise DamagedState(self.path, f"unreadable ({exc})") from None
        except ValueError as exc:
            raise DamagedState(self.path, f"not JSON ({exc})") from None
        blocks = data.get("blocks", {}) if isinstance(data, dict) else None
        if not isinstance(blocks, dict):
            raise DamagedState(self.path, "expected an object with 'blocks'")
        problems = [
            f"block {key!r}: {problem}"
            for key, value in blocks.items()
            if (problem := block_problem(value))
        ]
        return blocks, problems

    def repair(self) -> str:
        """Drop the damaged blocks (the others stay held); a file that cannot
        be read at all is moved aside. Says what it did ("" when sound)."""
        with files.locked(self.home / LOCK):
            try:
                blocks, problems = self._load()
            except DamagedState:
                moved = move_aside(self.path)
                return f"moved {self.path} aside to {moved.name}"
            if not problems:
                return ""
            kept = {k: v for k, v in blocks.items() if not block_problem(v)}
            self._write(kept)
            dropped = len(blocks) - len(kept)
            return f"dropped {dropped} damaged block(s) from {self.path}"

    def problems(self) -> list[str]:
        """What is wrong with the registry file, for `seedbed doctor`."""
        try:
            return self._load()[1]
        except DamagedState as exc:
            return [exc.problem]

    def _write(self, blocks: dict[str, dict[str, Any]]) -> None:
        files.write_json_atomic(self.path, {"version": 1, "blocks": blocks})

    def blocks(self) -> list[Block]:
        with self._locked() as blocks:
            _follow_moves(blocks)
            found = [_block(value) for value in blocks.values()]
        return sorted(found, key=lambda block: block.start)

    def get(self, worktree: Path) -> Block | None:
        with self._locked() as blocks:
            _follow_moves(blocks)
            key = _find(blocks, worktree)
            return _block(blocks[key]) if key else None

    def allocate(
        self,
        worktree: Path,
        port_range: tuple[int, int] = (8000, 8999),
        size: int = DEFAULT_BLOCK,
        repository: str = "",
        common_dir: Path | None = None,
    ) -> tuple[Block, bool]:
        """The worktree's block and whether it was allocated just now.

        An existing block that still fits the range and size is returned as is.
        """
        if size < 1:
            raise ConfigError(
                f"resources.port_block: expected at least 1, got {size}",
                key="resources.port_block",
            )
        low, high = port_range
        key = worktree_key(worktree)
        with self._locked() as blocks:
            found = _find(blocks, worktree)
            held = blocks.pop(found) if found else None
            if held:
                block = _block(held)
                if block.size == size and low <= block.start and block.end <= high:
                    # Re-keyed (and its path brought up to date) after a move.
                    held = {**held, "worktree": str(worktree)}
                    held["admin_dir"] = admin_dir(worktree)
                    blocks[key] = held
                    return _block(held), False
                # config changed: give it a block that fits
            taken = [_block(value) for value in blocks.values()]
            for start in range(low, high - size + 2, size):
                if any(other.overlaps(start, size) for other in taken):
                    continue
                if not all(port_free(port) for port in range(start, start + size)):
                    continue
                block = Block(
                    start,
                    size,
                    str(worktree),
                    repository,
                    str(common_dir) if common_dir else "",
                    time.time(),
                    admin_dir(worktree),
                )
                blocks[key] = asdict(block)
                return block, True
        raise PortsExhausted(port_range, size)

    def release(self, worktree: Path | str) -> Block | None:
        with self._locked() as blocks:
            key = _find(blocks, Path(worktree))
            value = blocks.pop(key) if key else None
        return _block(value) if value else None


_BLOCK_FIELDS: dict[str, tuple[bool, tuple[type, ...]]] = {
    "start": (True, (int,)),
    "size": (True, (int,)),
    "worktree": (True, (str,)),
    "repository": (False, (str,)),
    "common_dir": (False, (str,)),
    "allocated_at": (False, (int, float)),
    "admin_dir": (False, (str,)),
}


def block_problem(value: Any) -> str:
    """What is wrong with one stored block, or ""."""
    if not isinstance(value, dict):
        return f"expected an object, got {type(value).__name__}"
    for key, (required, types) in _BLOCK_FIELDS.items():
        if key not in value:
            if required:
                return f"key '{key}' is missing"
            continue
        item = value[key]
        if isinstance(item, bool) or not isinstance(item, types):
            return f"key '{key}': unexpected value {item!r:.40}"
    if not (0 < value["start"] <= 65535 and 0 < value["size"] <= 65535):
        return "start or size out of range"
    return ""


def _block(value: dict[str, Any]) -> Block:
    return Block(
        start=int(value["start"]),
        size=int(value["size"]),
        worktree=current_path(value),
        repository=str(value.get("repository", "")),
        common_dir=str(value.get("common_dir", "")),
        allocated_at=float(value.get("allocated_at", 0.0)),
        admin_dir=str(value.get("admin_dir", "")),
    )
