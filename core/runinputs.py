"""What the plugins' variables for `seedbed run` are computed from, keyed
for core/runfast.py's note (see its module docstring for what is keyed and
why). The standard library alone: the fast path imports it.
"""

from __future__ import annotations

import json
import os

from seedbed.core import quickstate

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from collections.abc import Callable, Mapping
    from typing import Any

    from seedbed.core.app import App

# Each plugin's declaration of what its seedbed_run_env reads is its
# seedbed_run_env_inputs hook (core/hookspecs.py documents the answer).
PLACES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
TREE_LIMIT = 5_000  # entries (~8 µs each); a bigger tree: the full command runs
DATA_FILES = (".sqlite3", ".sqlite", ".db", ".log")  # no detection reads them
JOURNALS = ("-journal", "-wal", "-shm")


def _identity(path: str) -> list[int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino]


def _is_data(name: str) -> bool:
    for tail in JOURNALS:
        if name.endswith(tail):
            name = name[: -len(tail)]
            break
    return name.endswith(DATA_FILES)


def _inert(path: str, markers: tuple[bytes, ...]) -> bool:
    """Whether the .py file holds none of the markers (then no detection
    reads anything in it)."""
    try:
        with open(path, "rb") as handle:
            text = handle.read()
    except OSError:
        return False
    return not any(marker in text for marker in markers)


def _tree(
    root: str,
    skip: frozenset[str],
    markers: tuple[bytes, ...] | None,
    inert: dict[str, Any] | None,
) -> tuple[list[Any], dict[str, Any]] | None:
    """The project tree as detection sees it (see the module) and its inert
    .py files; None when it is too big to key. inert: the note's (a file
    there is read again only when it changed), or None to read them all."""
    found: list[Any] = []
    inert_now: dict[str, Any] = {}
    start = len(root) + 1
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            found.append([folder, None])
            continue
        names: list[str] = []
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if name.startswith("."):
                    continue
                names.append(name)
                if name not in skip:
                    stack.append(entry.path)
                elif folder == root:  # detection looks one folder down
                    found.append([entry.path, _python_names(entry.path)])
                continue
            if _is_data(name):
                continue
            names.append(name)
            identity = _identity(entry.path)
            if markers is not None and name.endswith(".py"):
                relative = entry.path[start:]
                if inert is None:  # for the note: read them all
                    quiet = _inert(entry.path, markers)
                elif relative in inert:  # read again only when it changed
                    quiet = inert[relative] == identity or _inert(entry.path, markers)
                else:  # it mattered: keyed by its identity
                    quiet = False
                if quiet:
                    inert_now[relative] = identity
                    continue
            found.append([entry.path, identity])
        found.append([folder, names])
        if len(found) + len(inert_now) > TREE_LIMIT:
            return None
    return found, inert_now


def _python_names(folder: str) -> list[str] | None:
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(".py"))
    except OSError:
        return None


def inputs_key(
    root: str, inputs: Mapping[str, Any], inert: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The key of what the plugins' variables were computed from, and the
    inert .py files (for the note); None when it cannot be keyed (too big a
    tree). inert: the note's, or None to read every .py file."""
    parts: list[Any] = [[name, os.environ.get(name)] for name in PLACES]
    parts.extend([path, _identity(path)] for path in inputs["files"])
    inert_now: dict[str, Any] = {}
    if inputs["skip"] is not None:
        markers = inputs.get("markers")
        walked = _tree(
            root,
            frozenset(inputs["skip"]),
            None if markers is None else tuple(m.encode() for m in markers),
            inert,
        )
        if walked is None:
            return None
        tree, inert_now = walked
        parts.append(tree)
    return quickstate.sha256(json.dumps(parts).encode()), inert_now


def plugin_inputs(app: App) -> dict[str, Any] | None:
    """What the plugins' variables are computed from, as the note keeps it:
    the files they declare and, when one reads the project, the folders
    detection skips. None when a plugin declares nothing (or fails to)."""
    files: set[str] = set()
    markers: set[str] | None = set()
    tree = False
    try:
        hook = app.registry.pm.hook
        declarations: dict[int, Callable[..., Any]] = {
            id(impl.plugin): impl.function
            for impl in hook.seedbed_run_env_inputs.get_hookimpls()
        }
        for impl in hook.seedbed_run_env.get_hookimpls():
            declare = declarations.get(id(impl.plugin))
            if declare is None:
                return None
            declared = declare(app.workspace)
            if declared is None:  # it cannot say (e.g. a foreign framework)
                return None
            files.update(str(path) for path in declared.get("files", ()))
            if declared.get("tree"):
                tree = True
                said = declared.get("markers")
                if said is None or markers is None:
                    markers = None  # every .py file is read: all keyed
                else:
                    markers.update(str(marker) for marker in said)
        skip = None
        if tree:
            from seedbed.core import discovery

            skip = sorted(discovery.skip_dirs(app.workspace))
    except Exception:  # a plugin's declaration never fails the run
        return None
    return {
        "files": sorted(files),
        "skip": skip,
        "markers": None if markers is None else sorted(markers),
    }
