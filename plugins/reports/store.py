"""Which metrics store a report reads, and whether it can: checked in Python,
read-only, before nu runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.errors import (
    EXIT_ENVIRONMENT,
    EXIT_NOT_FOUND,
    NotARepositoryError,
    SeedbedError,
)
from seedbed.core.metrics import SCHEMA_VERSION, store_path
from seedbed.plugins.reports.settings import CONFIG_KEYS, SECTION


@dataclass(frozen=True)
class Target:
    """The store to report on and the settings that apply to it."""

    db: Path
    settings: Mapping[str, Any]


def resolve_target(db: str | None, repo: str | None) -> Target:
    """The store (--db, or the repository's) and the [tool.seedbed.reports] values.

    Outside a repository --db still works, with the default settings.
    """
    defaults = {key.name: key.default for key in CONFIG_KEYS}
    try:
        from seedbed.core.app import load

        workspace = load(Path(repo) if repo else None).workspace
    except NotARepositoryError:
        if db is None:
            raise
        return Target(Path(db), defaults)
    settings = {**defaults, **workspace.config.section(SECTION)}
    path = Path(db) if db else store_path(workspace.common_dir)
    return Target(path, settings)


def check_store(path: Path) -> None:
    """Refuse, with a clear message, a store the reports cannot read.

    Opened read-only: a report never migrates or creates the store.
    """
    if not path.is_file():
        raise SeedbedError(
            f"no metrics store at {path}",
            "seedbed creates it on the first `seedbed setup` in this repository;"
            " or pass --db PATH",
            EXIT_NOT_FOUND,
        )
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            version, has_runs = _store_facts(db)
    except sqlite3.DatabaseError as exc:
        raise SeedbedError(
            f"{path} is not a seedbed metrics store ({exc})",
            "pass --db with the path of seedbed's metrics.db",
            EXIT_NOT_FOUND,
        ) from None
    if version > SCHEMA_VERSION:
        raise SeedbedError(
            f"{path} has schema version {version}; this seedbed reads version"
            f" {SCHEMA_VERSION}",
            "upgrade seedbed: a newer seedbed wrote this store",
            EXIT_ENVIRONMENT,
        )
    if not has_runs:
        raise SeedbedError(
            f"no runs recorded yet in {path}",
            "runs are recorded by `seedbed setup`, `seedbed gate`, `seedbed run`"
            " and the git hook",
            EXIT_NOT_FOUND,
        )


def _store_facts(db: sqlite3.Connection) -> tuple[int, bool]:
    """The schema version and whether any run is recorded."""
    version_row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    has_runs = db.execute("SELECT EXISTS (SELECT 1 FROM runs)").fetchone()[0]
    version = int(version_row[0]) if version_row and version_row[0] is not None else 0
    return version, bool(has_runs)
