"""The `seedbed` entry points of this environment, read once and then cached.

Listing entry points means importing importlib.metadata and reading every
installed distribution's metadata: about a quarter of a setup's fixed Python
start-up. The list only changes when a distribution is installed, upgraded or
removed, and each of those adds or removes a `*.dist-info` folder in a folder
of the import path, which changes that folder's mtime. So the list is kept in
the user's cache folder (files.user_dir: `SEEDBED_HOME/cache`, else the
platform's), one file per import path, with the stamps
(mtime, inode) of every import path entry: any change there is a miss and a
full scan, exactly as pluggy's `load_setuptools_entrypoints` does it.

A folder changed less than RACY_SECONDS before a scan is not trusted (a
timestamp is coarser than the install that may follow the scan within the
same tick, as git's "racy" index entries are): such a scan is not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import files

RACY_SECONDS = 2
VERSION = 1  # of the cache file's shape


@dataclass(frozen=True)
class Entry:
    """One entry point of the group, and the distribution that declares it."""

    name: str
    value: str  # "module" or "module:attribute.path", optionally "[extras]"
    distribution: str  # the distribution's Name, as pluggy's DistFacade gives it
    version: str

    def load(self) -> object:
        """What importlib.metadata.EntryPoint.load() returns for this value."""
        import importlib

        target = self.value.split("[", 1)[0].strip()
        module_name, _, attributes = target.partition(":")
        found: object = importlib.import_module(module_name.strip())
        for attribute in filter(None, attributes.strip().split(".")):
            found = getattr(found, attribute)
        return found


def _stamp(entry: str) -> list[Any]:
    try:
        found = os.stat(entry or ".")
    except OSError:
        return [entry, None]
    return [entry, found.st_mtime_ns, found.st_ino, found.st_dev]


def _finders() -> list[str]:
    """The import system's distribution finders: a custom one may list others."""
    return [
        f"{type(finder).__module__}.{type(finder).__qualname__}"
        for finder in sys.meta_path
        if hasattr(finder, "find_distributions")
    ]


def _cache_file(group: str) -> Path:
    identity = json.dumps([VERSION, group, sys.executable, sys.path, _finders()])
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return files.user_dir("cache") / f"entry-points-{digest}.json"


def scan(group: str) -> list[Entry]:
    """Every entry point of `group`, in the order pluggy would load them."""
    import importlib.metadata

    return [
        Entry(ep.name, ep.value, dist.metadata["name"], dist.version)
        for dist in list(importlib.metadata.distributions())
        for ep in dist.entry_points
        if ep.group == group
    ]


def listed(group: str) -> tuple[list[Entry], bool]:
    """The group's entry points, and whether they came from the cache."""
    stamps = [_stamp(entry) for entry in sys.path]
    try:
        path: Path | None = _cache_file(group)
    except (OSError, RuntimeError, KeyError):  # no home folder to cache in
        path = None
    if path is not None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(path.read_text())
            if data["stamps"] == stamps:
                return [Entry(*fields) for fields in data["entries"]], True
    started = time.time_ns()
    entries = scan(group)
    if path is not None and _settled(stamps, started):
        _save(path, stamps, entries)
    return entries, False


def forget(group: str) -> None:
    """Drop the cached list (it named a module that is gone)."""
    with contextlib.suppress(OSError, RuntimeError, KeyError):
        _cache_file(group).unlink()


def _settled(stamps: list[list[Any]], started: int) -> bool:
    newest = max((s[1] for s in stamps if s[1] is not None), default=0)
    return newest < started - RACY_SECONDS * 1_000_000_000


def _save(path: Path, stamps: list[list[Any]], entries: list[Entry]) -> None:
    data = {
        "stamps": stamps,
        "entries": [[e.name, e.value, e.distribution, e.version] for e in entries],
    }
    # A cache that cannot be written costs only the next scan.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
