"""What is known about this machine's interpreters without starting them.

Starting an interpreter to ask its version costs 20-50 ms, and a setup asked
on every run. Answers are kept in the per-user cache folder:

- versions (`interpreters.json`): keyed by the file an interpreter path
  resolves to and that file's identity (device, inode, size, mtime, mode), so
  a rebuilt, upgraded or replaced interpreter is asked again. Only compiled
  programs are kept: a script (a pyenv shim) may run another interpreter each
  time without changing itself.
- choices (`interpreter-choices.json`): which interpreter a request chose,
  keyed by the request and everything the search reads (PATH and the pyenv
  settings, the mtimes of the folders searched: installing or removing an
  interpreter changes its folder's); valid while the chosen file is unchanged.

Best effort: a cache that cannot be read or written only costs a probe.
Concurrent setups: the last writer wins, a lost entry is asked again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

VERSIONS = "interpreters.json"
CHOICES = "interpreter-choices.json"
_LIMIT = 64  # entries kept per file: interpreters come and go over the years

# ELF; Mach-O (32/64-bit, both byte orders, universal). A script starts "#!".
_COMPILED = {
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
}


def known(path: Path) -> str | None:
    """The version a past probe (or health probe) gave for the interpreter
    path resolves to, when that file has not changed since; no process."""
    key = _identity(path)
    if key is None:
        return None
    found = _read(VERSIONS).get(key[0])
    if isinstance(found, list) and found[:-1] == key[1] and found[-1]:
        return str(found[-1])
    return None


def remember(path: Path, version: str) -> None:
    """Keep a version the interpreter at path gave (only a compiled one)."""
    key = _identity(path)
    if key is None or not version:
        return
    _put(VERSIONS, key[0], [*key[1], version])


def search_key(wanted: str, read: Sequence[Path], env: Sequence[str]) -> str:
    """The request and what the search reads: env (variables' values) and the
    mtime of each folder or file it reads (a missing one too: it may appear)."""
    parts: list[Any] = [wanted, list(env)]
    for path in read:
        try:
            parts.append([str(path), os.stat(path).st_mtime_ns])
        except OSError:
            parts.append([str(path), None])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def chosen(key: str) -> tuple[Path, str] | None:
    """The interpreter a search with this key chose, when that file has not
    changed since."""
    found = _read(CHOICES).get(key)
    if not (isinstance(found, list) and len(found) == 2):
        return None
    path, version = Path(str(found[0])), str(found[1])
    return (path, version) if known(path) == version else None


def choose(key: str, path: Path, version: str) -> None:
    """Keep the search's answer (only for a compiled interpreter)."""
    if _identity(path) is None:
        return
    remember(path, version)
    _put(CHOICES, key, [str(path), version])


def _identity(path: Path) -> tuple[str, list[int]] | None:
    """The resolved file and its identity, when it is a compiled program (a
    dynamically linked one is rebuilt or upgraded with its library). The mode
    too: a binary made non-executable keeps its mtime."""
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as handle:
            magic = handle.read(4)
            found = os.fstat(handle.fileno())
    except OSError:
        return None
    if magic not in _COMPILED:
        return None
    identity = [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns]
    return real, [*identity, found.st_mode]


def _put(name: str, key: str, entry: list[Any]) -> None:
    data = _read(name)
    if data.get(key) == entry:
        return
    data.pop(key, None)  # re-inserted last: the newest entries are kept
    data[key] = entry
    from seedbed.core.files import write_json_atomic

    with contextlib.suppress(OSError):
        write_json_atomic(_path(name), dict(list(data.items())[-_LIMIT:]))


def _path(name: str) -> Path:
    from seedbed.core.files import user_dir

    return user_dir("cache") / name


def _read(name: str) -> dict[str, Any]:
    try:
        data = json.loads(_path(name).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
