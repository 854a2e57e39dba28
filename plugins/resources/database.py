"""One database per worktree: a SQLite file inside it, or a PostgreSQL database.

SQLite (the default) needs nothing but a path: `.seedbed/db.sqlite3` in the
worktree, gone with it. PostgreSQL databases (resources.postgres) are created on
the configured server, named from the repository and the worktree's slug,
optionally from a template, recorded under the common git dir (`Records`) and
dropped by `seedbed gc`. The PostgreSQL module is imported only when a
database has a server.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from seedbed.core import files
from seedbed.core.errors import EXIT_DATABASE as EXIT_DATABASE  # the server refused
from seedbed.core.errors import ConfigError

if TYPE_CHECKING:
    from seedbed.plugins.resources.postgres import Server

SQLITE_FILE = "db.sqlite3"
SQLITE_TEST_FILE = "test-db.sqlite3"
RECORDS = "databases.json"


@dataclass(frozen=True)
class Database:
    """A worktree's database: what the app connects to and what tests use."""

    engine: str  # "sqlite" | "postgres"
    name: str  # sqlite: the file's path; postgres: the database's name
    test_name: str
    server: Server | None = None
    # False: the app's own database (its settings name it), reported, never
    # made or dropped by seedbed
    managed: bool = True

    @property
    def url(self) -> str:
        """DATABASE_URL as Django (dj-database-url) and SQLAlchemy read it.

        The path and the names are percent-encoded (RFC 3986), as both decode
        them: a space, quote, backtick, `$`, `#`, `?` or newline in a worktree
        path can neither break the URL nor run anything when `.env` is sourced.
        """
        if self.engine == "sqlite":
            return f"sqlite:///{quote(self.name)}"  # absolute path: four slashes
        assert self.server is not None
        return self.server.database_url(self.name)

    @property
    def label(self) -> str:
        if self.server is None:
            own = "" if self.managed else " (the app's own)"
            return f"sqlite {self.name}{own}"
        return f"database {self.name} on {self.server.url}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "name": self.name,
            "test_name": self.test_name,
            "server": self.server.url if self.server else "",
            "url": self.url,
            "managed": self.managed,
        }


def sqlite_for(root: Path) -> Database:
    state = root / ".seedbed"
    return Database("sqlite", str(state / SQLITE_FILE), str(state / SQLITE_TEST_FILE))


def postgres_for(repository: str, slug: str, server: Server) -> Database:
    from seedbed.plugins.resources import postgres

    name = postgres.database_name(repository, slug)
    return Database("postgres", name, f"{name}_test", server)


# ---------------------------------------------------------------------------
# Create and drop
# ---------------------------------------------------------------------------


def create(database: Database, template: str = "") -> bool:
    """Make the database exist; True when it was created just now."""
    if database.server is not None:
        from seedbed.plugins.resources import postgres

        return postgres.create(database.server, database.name, template)
    path = Path(database.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    sqlite3.connect(path).close()  # an empty file is a valid empty database
    return True


def drop(database: Database) -> bool:
    """Drop the database and its test database; True when one existed. The
    app's own database (not managed) is never dropped."""
    if not database.managed:
        return False
    names = (database.name, database.test_name)
    if database.server is not None:
        from seedbed.plugins.resources import postgres

        return postgres.drop(database.server, names)
    existed = False
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
            existed = True
    return existed


def clone(source: Database, target: Database) -> bool:
    """Make target a copy of source (a sibling worktree's migrated database):
    SQLite through the backup API, PostgreSQL with CREATE DATABASE ... TEMPLATE.
    False when it could not be done (the caller then migrates from scratch)."""
    if source.engine != target.engine:
        return False
    if target.server is not None:
        from seedbed.plugins.resources import postgres

        try:
            postgres.drop(target.server, (target.name,))
            return postgres.create(target.server, target.name, source.name)
        except Exception:  # in use by a running server: migrate from scratch
            with contextlib.suppress(Exception):
                postgres.create(target.server, target.name)
            return False
    path = Path(target.name)
    if not Path(source.name).is_file():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".seedbed-clone")
    try:
        with (
            contextlib.closing(sqlite3.connect(source.name)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        os.replace(partial, path)
    except (sqlite3.Error, OSError):
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True


def exists(database: Database) -> bool:
    if database.server is not None:
        from seedbed.plugins.resources import postgres

        return postgres.exists(database.server, database.name)
    return Path(database.name).exists()


def preflight(database: Database, template: str = "") -> None:
    """Fail now, before anything is made, when the server refuses us or the
    template is missing (setup calls this while planning)."""
    if database.server is not None:
        from seedbed.plugins.resources import postgres

        postgres.preflight(database.server, template)


# ---------------------------------------------------------------------------
# Records: which PostgreSQL databases this repository's worktrees hold
# ---------------------------------------------------------------------------


class Records:
    """`<common dir>/seedbed/databases.json`, keyed by worktree path.

    Only what is needed to drop a database later (engine, name, server URL
    without password): never a credential.
    """

    def __init__(self, common_dir: Path) -> None:
        self.directory = common_dir / "seedbed"
        self.path = self.directory / RECORDS
        self._file = files.LockedJSON(self.path)

    def add(self, worktree: Path, database: Database) -> None:
        with self._file.update() as entries:
            entries[str(worktree)] = {**database.as_dict(), "created_at": time.time()}

    def remove(self, worktree: str) -> None:
        with self._file.update() as entries:
            entries.pop(worktree, None)

    def all(self) -> dict[str, Database]:
        with self._file.update() as entries:
            found = dict(entries)
        if not found:
            return {}
        from seedbed.plugins.resources.postgres import Server

        out: dict[str, Database] = {}
        for worktree, entry in found.items():
            with contextlib.suppress(KeyError, ValueError, ConfigError):
                server = Server.parse(entry["server"]) if entry.get("server") else None
                out[worktree] = Database(
                    entry["engine"],
                    entry["name"],
                    entry["test_name"],
                    server,
                    bool(entry.get("managed", True)),
                )
        return out
