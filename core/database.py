"""One database per worktree: a SQLite file inside it, or a PostgreSQL database.

SQLite (the default) needs nothing but a path: `.seedbed/db.sqlite3` in the
worktree, gone with it. PostgreSQL databases are created on the configured
server, named from the repository and the worktree's slug, optionally from a
template, recorded under the common git dir and dropped by `seedbed gc`.

PostgreSQL is driven with psycopg rather than Debian's createdb/dropdb: it needs
no client programs on the machine, reports failures as SQLSTATE classes (a
missing template, a refused connection, a database that already exists) instead
of localized text to parse, and quotes identifiers itself. It is imported only
when a PostgreSQL database is asked for.

Passwords: from the user's config (`resources.database_password`, refused in
committed files) or libpq's own PGPASSWORD / ~/.pgpass. They are never part of
DATABASE_URL, of a message, of a record or of a metric: errors are scrubbed.

Exit codes: 3 configuration (an unsupported engine), 6 the driver is missing,
10 the template database does not exist, 11 the database server refused or
failed (unreachable, authentication, permission).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from seedbed.core.errors import (
    EXIT_DATABASE,
    EXIT_NOT_FOUND,
    ConfigError,
    EnvironmentProblem,
    SeedbedError,
)

if TYPE_CHECKING:
    import psycopg

SQLITE_FILE = "db.sqlite3"
SQLITE_TEST_FILE = "test-db.sqlite3"
RECORDS = "databases.json"
POSTGRES_SCHEMES = ("postgres", "postgresql")
CONNECT_TIMEOUT = 5  # seconds: a firewalled server must not hang a checkout
NAME_LIMIT = 63  # PostgreSQL truncates identifiers beyond this


class DatabaseServerError(SeedbedError):
    """The database server cannot be reached or refused what seedbed asked."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint, EXIT_DATABASE)


class TemplateNotFound(SeedbedError):
    def __init__(self, template: str, server: str) -> None:
        super().__init__(
            f"template database {template!r} does not exist on {server}",
            "create it, or fix resources.database_template; nothing was created",
            EXIT_NOT_FOUND,
        )


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server; the password is kept out of repr and URLs."""

    host: str = "localhost"
    port: int = 5432
    user: str = ""
    maintenance_db: str = "postgres"
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """postgresql://user@host:port, never with the password."""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{user}{host}:{self.port}"

    def database_url(self, name: str) -> str:
        return f"{self.url}/{quote(name, safe='')}"

    @classmethod
    def parse(
        cls,
        url: str,
        password: str | None = None,
        key: str = "resources.database_server",
        password_allowed: bool = True,
    ) -> Server:
        """A server URL from config; an unsupported engine is a config error."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ConfigError(
                f"{key}: not a URL: {exc}",
                "expected postgresql://USER@HOST:PORT",
                key=key,
            ) from None
        scheme = parts.scheme.lower()
        engine = scheme.split("+", 1)[0]
        if not engine:
            raise ConfigError(
                f"{key}: {url!r} is not a server URL",
                "expected postgresql://USER@HOST:PORT",
                key=key,
            )
        if engine not in POSTGRES_SCHEMES:
            raise ConfigError(
                f"{key}: unsupported database engine {engine!r}: seedbed creates "
                "per-worktree databases with SQLite or PostgreSQL",
                'use postgresql://USER@HOST:PORT, or database = "sqlite"',
                key=key,
            )
        if not parts.netloc:
            raise ConfigError(
                f"{key}: {url!r} names no server",
                "expected postgresql://USER@HOST:PORT",
                key=key,
            )
        if parts.password is not None and not password_allowed:
            raise ConfigError(
                f"{key}: the URL carries a password, in a file that may be committed",
                "remove it; put it in PGPASSWORD, ~/.pgpass or "
                "resources.database_password in your user config",
                key=key,
            )
        return cls(
            host=parts.hostname or "localhost",
            port=port or 5432,
            user=unquote(parts.username or ""),
            maintenance_db=unquote(parts.path.lstrip("/")) or "postgres",
            password=password or (unquote(parts.password) if parts.password else None),
        )


@dataclass(frozen=True)
class Database:
    """A worktree's database: what the app connects to and what tests use."""

    engine: str  # "sqlite" | "postgres"
    name: str  # sqlite: the file's path; postgres: the database's name
    test_name: str
    server: Server | None = None

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
            return f"sqlite {self.name}"
        return f"database {self.name} on {self.server.url}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "name": self.name,
            "test_name": self.test_name,
            "server": self.server.url if self.server else "",
            "url": self.url,
        }


def sqlite_for(root: Path) -> Database:
    state = root / ".seedbed"
    return Database("sqlite", str(state / SQLITE_FILE), str(state / SQLITE_TEST_FILE))


def postgres_name(repository: str, slug: str) -> str:
    """A valid, unquoted-safe name: lowercase, [a-z0-9_], at most 58 characters
    so `<name>_test` still fits; the slug's hash at the end keeps it unique."""
    name = re.sub(r"[^a-z0-9]+", "_", f"{repository}_{slug}".lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"wt_{name}"
    limit = NAME_LIMIT - len("_test")
    if len(name) > limit:
        name = name[: limit - 7].rstrip("_") + "_" + name[-6:]
    return name


def postgres_for(repository: str, slug: str, server: Server) -> Database:
    name = postgres_name(repository, slug)
    return Database("postgres", name, f"{name}_test", server)


# ---------------------------------------------------------------------------
# Create and drop
# ---------------------------------------------------------------------------


def create(database: Database, template: str = "") -> bool:
    """Make the database exist; True when it was created just now."""
    if database.server is None:
        path = Path(database.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            return False
        sqlite3.connect(path).close()  # an empty file is a valid empty database
        return True
    server = database.server
    sql = _psycopg_sql()
    with _connect(server) as conn:
        if _exists(conn, database.name):
            return False
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name))
        if template:
            if not _exists(conn, template):
                raise TemplateNotFound(template, server.url)
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database.name), sql.Identifier(template)
            )
        _execute(conn, statement, server, f"create database {database.name}")
    return True


def drop(database: Database) -> bool:
    """Drop the database and its test database; True when one existed."""
    if database.server is None:
        existed = False
        for name in (database.name, database.test_name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
                existed = True
        return existed
    server = database.server
    sql = _psycopg_sql()
    existed = False
    with _connect(server) as conn:
        for name in (database.name, database.test_name):
            if not _exists(conn, name):
                continue
            # FORCE (PostgreSQL 13+): a dev server still connected must not keep
            # a removed worktree's database alive.
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
            _execute(conn, statement, server, f"drop database {name}")
            existed = True
    return existed


def exists(database: Database) -> bool:
    if database.server is None:
        return Path(database.name).exists()
    with _connect(database.server) as conn:
        return _exists(conn, database.name)


def preflight(database: Database, template: str = "") -> None:
    """Fail now, before anything is made, when the server refuses us or the
    template is missing (setup calls this while planning)."""
    if database.server is None:
        return
    with _connect(database.server) as conn:
        if template and not _exists(conn, template):
            raise TemplateNotFound(template, database.server.url)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise EnvironmentProblem(
            "PostgreSQL databases need the psycopg driver, which is not installed "
            "beside seedbed",
            "install seedbed with its postgres extra: "
            "uv tool install 'seedbed[postgres]' (or pip install 'psycopg[binary]')",
        ) from None
    return psycopg


def _psycopg_sql() -> Any:
    return _psycopg().sql


@contextlib.contextmanager
def _connect(server: Server) -> Iterator[psycopg.Connection[Any]]:
    psycopg = _psycopg()
    params: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "dbname": server.maintenance_db,
        "connect_timeout": CONNECT_TIMEOUT,
        "autocommit": True,  # CREATE/DROP DATABASE cannot run in a transaction
        "application_name": "seedbed",
    }
    if server.user:
        params["user"] = server.user
    if server.password:
        params["password"] = server.password
    try:
        conn = psycopg.connect(**params)
    except psycopg.Error as exc:
        raise DatabaseServerError(
            f"cannot connect to PostgreSQL at {server.url}: {_scrub(exc, server)}",
            "start the server or fix resources.database_server; credentials come "
            "from PGPASSWORD, ~/.pgpass or resources.database_password in your "
            "user config; nothing was created",
        ) from None
    try:
        yield conn
    finally:
        conn.close()


def _exists(conn: psycopg.Connection[Any], name: str) -> bool:
    cursor = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    return cursor.fetchone() is not None


def _execute(
    conn: psycopg.Connection[Any], statement: Any, server: Server, what: str
) -> None:
    psycopg = _psycopg()
    try:
        conn.execute(statement)
    except psycopg.errors.DuplicateDatabase:
        return  # a concurrent setup of the same worktree won the race: fine
    except psycopg.Error as exc:
        raise DatabaseServerError(
            f"{server.url}: {what} failed: {_scrub(exc, server)}",
            "check the role's privileges (CREATEDB) and the server's log",
        ) from None


def _scrub(exc: BaseException, server: Server) -> str:
    """The error's first line, with the password cut out should it appear."""
    text = " ".join(str(exc).split("\n")[:1]).strip() or type(exc).__name__
    if server.password:
        text = text.replace(server.password, "***")
    return text


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

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, dict[str, Any]]]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / (RECORDS + ".lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                data = json.loads(self.path.read_text())
            except (OSError, ValueError):
                data = {}
            entries = data if isinstance(data, dict) else {}
            before = json.dumps(entries, sort_keys=True)
            yield entries
            if json.dumps(entries, sort_keys=True) != before:
                fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{RECORDS}.")
                with os.fdopen(fd, "w") as handle:
                    json.dump(entries, handle, indent=2, sort_keys=True)
                os.replace(tmp, self.path)

    def add(self, worktree: Path, database: Database) -> None:
        with self._locked() as entries:
            entries[str(worktree)] = {**database.as_dict(), "created_at": time.time()}

    def remove(self, worktree: str) -> None:
        with self._locked() as entries:
            entries.pop(worktree, None)

    def all(self) -> dict[str, Database]:
        with self._locked() as entries:
            found = dict(entries)
        out: dict[str, Database] = {}
        for worktree, entry in found.items():
            with contextlib.suppress(KeyError, ValueError, ConfigError):
                server = Server.parse(entry["server"]) if entry.get("server") else None
                out[worktree] = Database(
                    entry["engine"], entry["name"], entry["test_name"], server
                )
        return out
