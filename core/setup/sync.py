"""Is the environment still what the worktree asks for? Its identity (manager,
installer, settings, env dir), the watched files' fingerprint, and its health.

The watched files are every manager's, not only the chosen one's: a lock that
appears (another manager's) can change which manager owns the project, so it
must change the fingerprint too. The ready marker records the list, and the git
hook's fast path re-hashes exactly what it says (core.state.is_in_sync).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from seedbed.core import state
from seedbed.core.app import App
from seedbed.core.errors import SeedbedError
from seedbed.core.types import Manager, Watch
from seedbed.core.workspace import Workspace

# Core settings that change what an environment holds; the user's config file
# and SEEDBED_* variables are not files the hook can watch, so they are compared
# here (with the manager's own `identity_keys`).
IDENTITY_KEYS = ("dev", "python", "reuse")


@dataclass(frozen=True)
class Fingerprint:
    value: str
    files: dict[str, str | None]  # each watched file's digest (None: absent)
    watch: Watch
    identity: dict[str, str]


def identity(workspace: Workspace, manager: Manager, installer: str) -> dict[str, str]:
    config = workspace.config
    keys = (*IDENTITY_KEYS, *manager.identity_keys)
    settings = json.dumps({k: config.get(k) for k in keys}, sort_keys=True)
    return {
        "manager": manager.name,
        "installer": installer,
        "env_dir": os.path.relpath(manager.env_dir(workspace), workspace.root),
        "settings": hashlib.sha256(settings.encode()).hexdigest()[:16],
    }


def watched(app: App, manager: Manager) -> Watch:
    """The chosen manager's watch, plus every other manager's paths."""
    workspace = app.workspace
    own = manager.watch(workspace)
    paths = [*state.CONFIG_INPUTS, *own.paths]
    for other in app.registry.managers.values():
        if other is manager:
            continue
        try:
            paths.extend(other.watch(workspace).paths)
        except SeedbedError:
            continue  # its files are broken, and it is not the chosen one
    return Watch(tuple(sorted(set(paths))), own.globs)


def fingerprint(
    app: App, manager: Manager, installer: str, python_version: str
) -> Fingerprint:
    workspace = app.workspace
    watch = watched(app, manager)
    ident = {
        **identity(workspace, manager, installer),
        "python": python_version,
    }
    value, files = state.fingerprint(workspace.root, watch.paths, watch.globs, ident)
    return Fingerprint(value, files, watch, ident)


def same_settings(app: App, manager: Manager) -> bool:
    """Whether the ready environment was made by this manager with these
    settings, watching these files (a project that moved from pip to uv is not
    in sync, whatever its files say)."""
    workspace = app.workspace
    ready = state.read_ready(workspace.root) or {}
    recorded = ready.get("identity", {})
    try:
        installer = manager.installer(workspace).name
    except SeedbedError:
        return False
    wanted = identity(workspace, manager, installer)
    if any(recorded.get(key) != value for key, value in wanted.items()):
        return False
    paths = ready.get("watch", {}).get("paths")
    return bool(paths == list(watched(app, manager).paths))


def problems(workspace: Workspace, manager: Manager) -> list[str]:
    try:
        return manager.problems(workspace)
    except SeedbedError:
        return []  # a bad python request is reported by the setup itself


def unhealthy(workspace: Workspace, manager: Manager) -> str:
    """Why the environment cannot be marked ready, or ""."""
    reason = manager.health_check(workspace)
    if reason:
        return reason
    return "; ".join(problems(workspace, manager))


def in_sync(app: App, manager: Manager) -> bool:
    """The whole no-op check setup makes before doing anything."""
    workspace = app.workspace
    return (
        state.is_in_sync(workspace.root)
        and same_settings(app, manager)
        and manager.health_check(workspace) is None
        and not problems(workspace, manager)
    )
