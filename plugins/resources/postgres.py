"""PostgreSQL databases per worktree, driven with psycopg.

psycopg rather than Debian's createdb/dropdb: it needs no client programs on
the machine, reports failures as SQLSTATE classes (a missing template, a
refused connection, a database that already exists) instead of localized text
to parse, and quotes identifiers itself. This module is imported only when a
PostgreSQL database is configured, and psycopg only when one is touched.

Passwords: from the user's config (`resources.database_password`, refused in
committed files) or libpq's own PGPASSWORD / ~/.pgpass. They are never part of
a URL, of a message, of a record or of a metric: errors are scrubbed.

Exit codes: 3 configuration (an unsupported engine), 6 the driver is missing,
10 the template database does not exist, 11 the database server refused or
failed (unreachable, authentication, permission).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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

SCHEMES = ("postgres", "postgresql")
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
        if engine not in SCHEMES:
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


def database_name(repository: str, slug: str) -> str:
    """A valid, unquoted-safe name: lowercase, [a-z0-9_], at most 58 characters
    so `<name>_test` still fits; the slug's hash at the end keeps it unique."""
    name = re.sub(r"[^a-z0-9]+", "_", f"{repository}_{slug}".lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"wt_{name}"
    limit = NAME_LIMIT - len("_test")
    if len(name) > limit:
        name = name[: limit - 7].rstrip("_") + "_" + name[-6:]
    return name


# ---------------------------------------------------------------------------
# Create and drop
# ---------------------------------------------------------------------------


def create(server: Server, name: str, template: str = "") -> bool:
    """Make the database exist; True when it was created just now."""
    sql = _psycopg().sql
    with _connect(server) as conn:
        if _exists(conn, name):
            return False
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            if not _exists(conn, template):
                raise TemplateNotFound(template, server.url)
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        _execute(conn, statement, server, f"create database {name}")
    return True


def drop(server: Server, names: Sequence[str]) -> bool:
    """Drop the named databases; True when one existed."""
    sql = _psycopg().sql
    existed = False
    with _connect(server) as conn:
        for name in names:
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


def exists(server: Server, name: str) -> bool:
    with _connect(server) as conn:
        return _exists(conn, name)


def preflight(server: Server, template: str = "") -> None:
    """Fail now, before anything is made, when the server refuses us or the
    template is missing."""
    with _connect(server) as conn:
        if template and not _exists(conn, template):
            raise TemplateNotFound(template, server.url)


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
