"""The `[tool.seedbed.resources]` keys, read and checked into one record.

Everything that can be wrong in the configuration is checked here, while
planning, before any step runs. The PostgreSQL password is accepted only from
the user's own config file, never from a file that may be committed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from seedbed.core.config import user_config_path
from seedbed.core.errors import ConfigError
from seedbed.core.types import ConfigKey
from seedbed.plugins.resources import ports

if TYPE_CHECKING:
    from seedbed.core.discovery import Found
    from seedbed.core.workspace import Workspace
    from seedbed.plugins.resources.database import Database
    from seedbed.plugins.resources.project import Expected

SECTION = "resources"
DEFAULT_SERVER = "postgresql://localhost:5432"

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "provision",
        "str",
        "auto",
        "give worktrees ports, a database and .env: auto (when a web framework "
        "is detected), always, never",
        SECTION,
        ("auto", "always", "never"),
    ),
    ConfigKey(
        "port_range", "str", ports.DEFAULT_RANGE, "ports to allocate from", SECTION
    ),
    ConfigKey(
        "port_block",
        "int",
        ports.DEFAULT_BLOCK,
        "ports per worktree",
        SECTION,
        minimum=1,
    ),
    ConfigKey(
        "database",
        "str",
        "auto",
        "per-worktree database: auto (the engine the project uses, made only "
        "when the app reads DATABASE_URL), sqlite (a file in the worktree), "
        "postgres, none",
        SECTION,
        ("auto", "sqlite", "postgres", "none"),
    ),
    ConfigKey(
        "database_server",
        "str",
        DEFAULT_SERVER,
        "PostgreSQL server as postgresql://USER@HOST:PORT (no password)",
        SECTION,
    ),
    ConfigKey(
        "database_template", "str", "", "create databases from this template", SECTION
    ),
    ConfigKey(
        "database_password",
        "str",
        "",
        "PostgreSQL password; accepted only in your user config (else use "
        "PGPASSWORD or ~/.pgpass)",
        SECTION,
    ),
    ConfigKey("debug", "bool", True, "DEBUG=1 in the worktree's variables", SECTION),
    ConfigKey(
        "framework",
        "str",
        "",
        "the framework serve/test use when a project has several",
        SECTION,
    ),
)


@dataclass(frozen=True)
class Settings:
    """The resources section, validated, with the database planned."""

    provision: str
    port_range: tuple[int, int]
    port_block: int
    database: Database | None
    template: str
    debug: bool
    framework: str
    password: str | None  # for libpq only: never in .env, messages or metrics
    mode: str = "sqlite"  # resources.database as configured
    expected: Expected | None = None  # auto: what the project says
    reported: Database | None = None  # auto: the app's own database, not made
    postgres: Database | None = None  # auto: the database on the server, if needed


def wanted(config: Settings, found: Sequence[Found]) -> bool:
    """Whether the worktree gets its own resources (a port block, `.env`)."""
    if config.provision == "never":
        return False
    return config.provision == "always" or bool(found)


def settings(workspace: Workspace, found: Sequence[Found] | None = None) -> Settings:
    """The section, with the database planned; "auto" asks the project (found:
    the frameworks detected) and plans nothing when found is None."""
    config = _parse(workspace)
    if config.mode != "auto" or found is None:
        return config
    return resolve(workspace, config, found)


def resolve(workspace: Workspace, config: Settings, found: Sequence[Found]) -> Settings:
    """database = "auto": the engine the project uses; a database per worktree
    only when the app reads DATABASE_URL, else the app's own one reported."""
    from seedbed.plugins.resources import project
    from seedbed.plugins.resources.database import Database, sqlite_for

    expected = project.expected(workspace, found)
    planned: Database | None = None
    reported: Database | None = None
    if expected.reads_url and expected.engine == "postgres":
        planned = config.postgres
    elif expected.reads_url:
        planned = sqlite_for(workspace.root)
    elif expected.app_file:
        reported = Database("sqlite", expected.app_file, "", managed=False)
    return replace(
        config,
        database=planned,
        expected=expected,
        reported=reported,
        password=planned.server.password if planned and planned.server else None,
    )


def _postgres(
    workspace: Workspace, section: Any, password: str | None, allowed: bool
) -> Database:
    from seedbed.plugins.resources.database import postgres_for
    from seedbed.plugins.resources.postgres import Server

    server = Server.parse(
        str(section.get("database_server", "")) or DEFAULT_SERVER,
        password,
        password_allowed=allowed,
    )
    return postgres_for(workspace.facts.repository, workspace.facts.slug, server)


def _parse(workspace: Workspace) -> Settings:
    from seedbed.plugins.resources.database import sqlite_for

    section = workspace.config.section(SECTION)
    origins = workspace.config.origins
    user_file = str(user_config_path())

    def from_user_config(key: str) -> bool:
        origin = origins.get(f"{SECTION}.{key}")
        return origin is None or origin == user_file

    password = str(section.get("database_password", "")) or None
    if password and not from_user_config("database_password"):
        raise ConfigError(
            f"{origins[f'{SECTION}.database_password']}: key "
            "'resources.database_password' is only accepted in your user config "
            f"({user_file}), never in a file that may be committed",
            "remove it; use PGPASSWORD, ~/.pgpass or your user config",
            key=f"{SECTION}.database_password",
        )
    block = int(section.get("port_block", ports.DEFAULT_BLOCK))
    if block < 1 or block > 100:
        raise ConfigError(
            f"key 'resources.port_block': expected 1 to 100, got {block}",
            key=f"{SECTION}.port_block",
        )
    engine = str(section.get("database", "auto"))
    planned: Database | None = None
    postgres: Database | None = None
    if engine in ("postgres", "auto"):
        postgres = _postgres(
            workspace, section, password, from_user_config("database_server")
        )
    if engine == "sqlite":
        planned = sqlite_for(workspace.root)
    elif engine == "postgres":
        planned = postgres
    return Settings(
        provision=str(section.get("provision", "auto")),
        port_range=ports.parse_range(
            str(section.get("port_range", ports.DEFAULT_RANGE))
        ),
        port_block=block,
        database=planned,
        template=str(section.get("database_template", "")),
        debug=bool(section.get("debug", True)),
        framework=str(section.get("framework", "")),
        password=planned.server.password if planned and planned.server else None,
        mode=engine,
        postgres=postgres,
    )


def user_password() -> str | None:
    """The password from the user's config (the only file allowed to hold it);
    PGPASSWORD and ~/.pgpass are read by libpq itself."""
    path = user_config_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    section = data.get(SECTION, {})
    value = section.get("database_password") if isinstance(section, dict) else None
    return value if isinstance(value, str) and value else None
